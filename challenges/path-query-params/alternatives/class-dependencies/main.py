"""Query parameters grouped into class-based dependencies."""

from enum import Enum

from fastapi import Depends, FastAPI, HTTPException, Path, Query

PRODUCTS = [
    {"id": 1, "name": "Dune", "category": "books", "price": 9.99, "tags": ["scifi", "classic"], "in_stock": True},
    {"id": 2, "name": "Neuromancer", "category": "books", "price": 7.5, "tags": ["scifi", "cyberpunk"], "in_stock": False},
    {"id": 3, "name": "Pride and Prejudice", "category": "books", "price": 5.0, "tags": ["classic", "romance"], "in_stock": True},
    {"id": 4, "name": "Portal 2", "category": "games", "price": 19.99, "tags": ["puzzle", "scifi"], "in_stock": True},
    {"id": 5, "name": "Stardew Valley", "category": "games", "price": 14.99, "tags": ["farming", "cozy"], "in_stock": False},
    {"id": 6, "name": "Kind of Blue", "category": "music", "price": 12.0, "tags": ["jazz", "classic"], "in_stock": True},
    {"id": 7, "name": "Random Access Memories", "category": "music", "price": 15.5, "tags": ["electronic"], "in_stock": True},
]


class Category(Enum):
    books = "books"
    games = "games"
    music = "music"


class Pagination:
    def __init__(self, offset: int = Query(0, ge=0), limit: int = Query(5, ge=1, le=20)):
        self.offset = offset
        self.limit = limit

    def apply(self, rows: list) -> list:
        return rows[self.offset : self.offset + self.limit]


class ProductFilter:
    def __init__(
        self,
        category: Category | None = Query(None),
        tag: list[str] | None = Query(None),
        min_price: float | None = Query(None, ge=0),
        max_price: float | None = Query(None, ge=0),
        in_stock: bool | None = Query(None),
    ):
        self.category = category
        self.tags = tag or []
        self.min_price = min_price
        self.max_price = max_price
        self.in_stock = in_stock

    def __call__(self, product: dict) -> bool:
        if self.category is not None and product["category"] != self.category.value:
            return False
        if any(t not in product["tags"] for t in self.tags):
            return False
        if self.min_price is not None and product["price"] < self.min_price:
            return False
        if self.max_price is not None and product["price"] > self.max_price:
            return False
        if self.in_stock is not None and product["in_stock"] != self.in_stock:
            return False
        return True


app = FastAPI()


@app.get("/products")
def list_products(keep: ProductFilter = Depends(), page: Pagination = Depends()):
    matching = sorted(filter(keep, PRODUCTS), key=lambda p: p["id"])
    return {"total": len(matching), "items": page.apply(matching)}


@app.get("/products/{product_id}")
def get_product(product_id: int = Path(..., ge=1)):
    match = next((p for p in PRODUCTS if p["id"] == product_id), None)
    if match is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return match


@app.get("/categories/{category}")
def category_products(category: Category):
    found = [p for p in PRODUCTS if p["category"] == category.value]
    return {"category": category.value, "count": len(found), "products": found}


@app.get("/search")
def search(q: str = Query(..., min_length=2, max_length=30)):
    found = [p for p in PRODUCTS if q.lower() in p["name"].lower()]
    return {"query": q, "count": len(found), "results": found}
