"""Async handlers on an APIRouter, pydantic models, a Literal category and a query-parameter model."""

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, Field

CategoryName = Literal["books", "games", "music"]


class Product(BaseModel):
    id: int
    name: str
    category: CategoryName
    price: float
    tags: list[str]
    in_stock: bool


class ProductPage(BaseModel):
    total: int
    items: list[Product]


class CategoryListing(BaseModel):
    category: CategoryName
    count: int
    products: list[Product]


class SearchResult(BaseModel):
    query: str
    count: int
    results: list[Product]


class ProductFilters(BaseModel):
    category: CategoryName | None = None
    tag: list[str] = []
    min_price: float | None = Field(default=None, ge=0)
    max_price: float | None = Field(default=None, ge=0)
    in_stock: bool | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=5, ge=1, le=20)

    def accepts(self, product: Product) -> bool:
        return (
            (self.category is None or product.category == self.category)
            and set(self.tag) <= set(product.tags)
            and (self.min_price is None or product.price >= self.min_price)
            and (self.max_price is None or product.price <= self.max_price)
            and (self.in_stock is None or product.in_stock is self.in_stock)
        )


CATALOG = [
    Product(id=1, name="Dune", category="books", price=9.99, tags=["scifi", "classic"], in_stock=True),
    Product(id=2, name="Neuromancer", category="books", price=7.5, tags=["scifi", "cyberpunk"], in_stock=False),
    Product(id=3, name="Pride and Prejudice", category="books", price=5.0, tags=["classic", "romance"], in_stock=True),
    Product(id=4, name="Portal 2", category="games", price=19.99, tags=["puzzle", "scifi"], in_stock=True),
    Product(id=5, name="Stardew Valley", category="games", price=14.99, tags=["farming", "cozy"], in_stock=False),
    Product(id=6, name="Kind of Blue", category="music", price=12.0, tags=["jazz", "classic"], in_stock=True),
    Product(id=7, name="Random Access Memories", category="music", price=15.5, tags=["electronic"], in_stock=True),
]
BY_ID = {p.id: p for p in CATALOG}

router = APIRouter()


@router.get("/products/{product_id}", response_model=Product)
async def read_product(product_id: Annotated[int, Path(gt=0)]) -> Product:
    if product_id not in BY_ID:
        raise HTTPException(404, "Product not found")
    return BY_ID[product_id]


@router.get("/categories/{category}", response_model=CategoryListing)
async def read_category(category: CategoryName) -> CategoryListing:
    found = [p for p in CATALOG if p.category == category]
    return CategoryListing(category=category, count=len(found), products=found)


@router.get("/products", response_model=ProductPage)
async def read_products(filters: Annotated[ProductFilters, Query()]) -> ProductPage:
    found = [p for p in CATALOG if filters.accepts(p)]
    return ProductPage(total=len(found), items=found[filters.offset:][: filters.limit])


@router.get("/search", response_model=SearchResult)
async def search_products(q: Annotated[str, Query(min_length=2, max_length=30)]) -> SearchResult:
    found = [p for p in CATALOG if q.casefold() in p.name.casefold()]
    return SearchResult(query=q, count=len(found), results=found)


app = FastAPI(title="catalog")
app.include_router(router)
