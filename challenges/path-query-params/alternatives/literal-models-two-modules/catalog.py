from typing import Literal

from pydantic import BaseModel

CategoryName = Literal["books", "games", "music"]


class Product(BaseModel):
    id: int
    name: str
    category: CategoryName
    price: float
    tags: list[str]
    in_stock: bool


PRODUCTS = [
    {"id": 1, "name": "Dune", "category": "books", "price": 9.99, "tags": ["scifi", "classic"], "in_stock": True},
    {"id": 2, "name": "Neuromancer", "category": "books", "price": 7.5, "tags": ["scifi", "cyberpunk"], "in_stock": False},
    {"id": 3, "name": "Pride and Prejudice", "category": "books", "price": 5.0, "tags": ["classic", "romance"], "in_stock": True},
    {"id": 4, "name": "Portal 2", "category": "games", "price": 19.99, "tags": ["puzzle", "scifi"], "in_stock": True},
    {"id": 5, "name": "Stardew Valley", "category": "games", "price": 14.99, "tags": ["farming", "cozy"], "in_stock": False},
    {"id": 6, "name": "Kind of Blue", "category": "music", "price": 12.0, "tags": ["jazz", "classic"], "in_stock": True},
    {"id": 7, "name": "Random Access Memories", "category": "music", "price": 15.5, "tags": ["electronic"], "in_stock": True},
]

CATALOG: dict[int, Product] = {p["id"]: Product(**p) for p in PRODUCTS}


class CategoryPage(BaseModel):
    category: CategoryName
    count: int
    products: list[Product]


class ProductPage(BaseModel):
    total: int
    items: list[Product]


class SearchResult(BaseModel):
    query: str
    count: int
    results: list[Product]
