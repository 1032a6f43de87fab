"""The 30-character maximum is checked by hand with >=: a 30-character q answers 422."""

from enum import Enum
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query

app = FastAPI()

PRODUCTS = [
    {"id": 1, "name": "Dune", "category": "books", "price": 9.99, "tags": ["scifi", "classic"], "in_stock": True},
    {"id": 2, "name": "Neuromancer", "category": "books", "price": 7.5, "tags": ["scifi", "cyberpunk"], "in_stock": False},
    {"id": 3, "name": "Pride and Prejudice", "category": "books", "price": 5.0, "tags": ["classic", "romance"], "in_stock": True},
    {"id": 4, "name": "Portal 2", "category": "games", "price": 19.99, "tags": ["puzzle", "scifi"], "in_stock": True},
    {"id": 5, "name": "Stardew Valley", "category": "games", "price": 14.99, "tags": ["farming", "cozy"], "in_stock": False},
    {"id": 6, "name": "Kind of Blue", "category": "music", "price": 12.0, "tags": ["jazz", "classic"], "in_stock": True},
    {"id": 7, "name": "Random Access Memories", "category": "music", "price": 15.5, "tags": ["electronic"], "in_stock": True},
]


class Category(str, Enum):
    books = "books"
    games = "games"
    music = "music"


@app.get("/products/{product_id}")
def get_product(product_id: Annotated[int, Path(ge=1)]):
    for product in PRODUCTS:
        if product["id"] == product_id:
            return product
    raise HTTPException(status_code=404, detail="Product not found")


@app.get("/categories/{category}")
def by_category(category: Category):
    products = [p for p in PRODUCTS if p["category"] == category.value]
    return {"category": category.value, "count": len(products), "products": products}


@app.get("/products")
def list_products(
    category: Category | None = None,
    tag: Annotated[list[str] | None, Query()] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
):
    matches = [
        p
        for p in PRODUCTS
        if (category is None or p["category"] == category.value)
        and all(t in p["tags"] for t in tag or [])
        and (min_price is None or p["price"] >= min_price)
        and (max_price is None or p["price"] <= max_price)
        and (in_stock is None or p["in_stock"] == in_stock)
    ]
    return {"total": len(matches), "items": matches[offset : offset + limit]}


@app.get("/search")
def search(q: Annotated[str, Query(min_length=2)]):
    if len(q) >= 30:  # "2 to 30 characters", checked by hand with the wrong comparison
        raise HTTPException(status_code=422, detail="q is too long")
    results = [p for p in PRODUCTS if q.lower() in p["name"].lower()]
    return {"query": q, "count": len(results), "results": results}
