"""Sync handlers, pre-Annotated default-value style, typing.Optional/List, dataclasses."""

from dataclasses import asdict, dataclass
from enum import Enum
from typing import List, Optional

from fastapi import FastAPI, HTTPException, Path, Query


class Category(str, Enum):
    BOOKS = "books"
    GAMES = "games"
    MUSIC = "music"


@dataclass
class Product:
    id: int
    name: str
    category: str
    price: float
    tags: List[str]
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
ITEMS = [Product(**p) for p in PRODUCTS]

app = FastAPI()


@app.get("/search")
def search(q: str = Query(..., min_length=2, max_length=30)):
    hits = [asdict(p) for p in ITEMS if q.lower() in p.name.lower()]
    return {"results": hits, "count": len(hits), "query": q}


@app.get("/products")
def products(
    category: Optional[Category] = Query(None),
    tag: Optional[List[str]] = Query(None),
    min_price: Optional[float] = Query(None, ge=0),
    max_price: Optional[float] = Query(None, ge=0),
    in_stock: Optional[bool] = Query(None),
    offset: int = Query(0, ge=0),
    limit: int = Query(5, ge=1, le=20),
):
    hits = ITEMS
    if category is not None:
        hits = [p for p in hits if p.category == category]
    for t in tag or []:
        hits = [p for p in hits if t in p.tags]
    if min_price is not None:
        hits = [p for p in hits if p.price >= min_price]
    if max_price is not None:
        hits = [p for p in hits if p.price <= max_price]
    if in_stock is not None:
        hits = [p for p in hits if p.in_stock == in_stock]
    page = hits[offset : offset + limit]
    return {"items": [asdict(p) for p in page], "total": len(hits), "extra": "ignored"}


@app.get("/products/{product_id}")
def product(product_id: int = Path(..., ge=1)):
    match = next((p for p in ITEMS if p.id == product_id), None)
    if match is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return asdict(match)


@app.get("/categories/{category}")
def category_products(category: Category):
    hits = [asdict(p) for p in ITEMS if p.category == category.value]
    return {"products": hits, "category": category, "count": len(hits)}
