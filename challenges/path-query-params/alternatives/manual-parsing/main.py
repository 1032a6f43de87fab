"""Parameters read and validated by hand from the Request, errors raised as 422 by hand."""

import re

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

PRODUCTS = [
    {"id": 1, "name": "Dune", "category": "books", "price": 9.99, "tags": ["scifi", "classic"], "in_stock": True},
    {"id": 2, "name": "Neuromancer", "category": "books", "price": 7.5, "tags": ["scifi", "cyberpunk"], "in_stock": False},
    {"id": 3, "name": "Pride and Prejudice", "category": "books", "price": 5.0, "tags": ["classic", "romance"], "in_stock": True},
    {"id": 4, "name": "Portal 2", "category": "games", "price": 19.99, "tags": ["puzzle", "scifi"], "in_stock": True},
    {"id": 5, "name": "Stardew Valley", "category": "games", "price": 14.99, "tags": ["farming", "cozy"], "in_stock": False},
    {"id": 6, "name": "Kind of Blue", "category": "music", "price": 12.0, "tags": ["jazz", "classic"], "in_stock": True},
    {"id": 7, "name": "Random Access Memories", "category": "music", "price": 15.5, "tags": ["electronic"], "in_stock": True},
]
CATEGORIES = ("books", "games", "music")

app = FastAPI()


def invalid(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"msg": message}])


def parse_int(raw: str, name: str, low: int, high: int | None = None) -> int:
    if not re.fullmatch(r"[+-]?\d+", raw.strip()):
        raise invalid(f"{name} must be an integer")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise invalid(f"{name} is out of range")
    return value


def parse_price(raw: str | None, name: str) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise invalid(f"{name} must be a number") from None
    if value < 0:
        raise invalid(f"{name} must be >= 0")
    return value


@app.get("/products/{product_id}")
async def get_product(product_id: str):
    pid = parse_int(product_id, "product_id", 1)
    for product in PRODUCTS:
        if product["id"] == pid:
            return JSONResponse(product)
    return JSONResponse({"detail": "Product not found"}, status_code=404)


@app.get("/categories/{category}")
async def get_category(category: str):
    if category not in CATEGORIES:
        raise invalid("unknown category")
    found = [p for p in PRODUCTS if p["category"] == category]
    return {"category": category, "count": len(found), "products": found}


@app.get("/products")
async def list_products(request: Request):
    qp = request.query_params
    category = qp.get("category")
    if category is not None and category not in CATEGORIES:
        raise invalid("unknown category")
    tags = qp.getlist("tag")
    low = parse_price(qp.get("min_price"), "min_price")
    high = parse_price(qp.get("max_price"), "max_price")
    stock_raw = qp.get("in_stock")
    in_stock = None
    if stock_raw is not None:
        if stock_raw.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            raise invalid("in_stock must be a boolean")
        in_stock = stock_raw.lower() in ("true", "1", "yes", "on")
    offset = parse_int(qp.get("offset", "0"), "offset", 0)
    limit = parse_int(qp.get("limit", "5"), "limit", 1, 20)
    found = [
        p
        for p in PRODUCTS
        if (category is None or p["category"] == category)
        and all(t in p["tags"] for t in tags)
        and (low is None or p["price"] >= low)
        and (high is None or p["price"] <= high)
        and (in_stock is None or p["in_stock"] == in_stock)
    ]
    return {"total": len(found), "items": found[offset : offset + limit]}


@app.get("/search")
async def search(request: Request):
    q = request.query_params.get("q")
    if q is None or not 2 <= len(q) <= 30:
        raise invalid("q must be 2 to 30 characters")
    found = [p for p in PRODUCTS if q.lower() in p["name"].lower()]
    return {"query": q, "count": len(found), "results": found}
