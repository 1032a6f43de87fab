from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query

from catalog import CATALOG, CategoryName, CategoryPage, Product, ProductPage, SearchResult

app = FastAPI(title="Catalog")


def sorted_products() -> list[Product]:
    return [CATALOG[key] for key in sorted(CATALOG)]


@app.get("/products/{product_id}", response_model=Product)
async def read_product(product_id: Annotated[int, Path(ge=1)]) -> Product:
    if product_id not in CATALOG:
        raise HTTPException(404, "Product not found")
    return CATALOG[product_id]


@app.get("/categories/{category}", response_model=CategoryPage)
async def read_category(category: CategoryName) -> CategoryPage:
    found = [p for p in sorted_products() if p.category == category]
    return CategoryPage(category=category, count=len(found), products=found)


@app.get("/products", response_model=ProductPage)
async def list_products(
    category: CategoryName | None = None,
    tag: Annotated[list[str], Query()] = [],
    min_price: Annotated[float, Query(ge=0)] | None = None,
    max_price: Annotated[float, Query(ge=0)] | None = None,
    in_stock: bool | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> ProductPage:
    wanted = set(tag)
    found = [
        p
        for p in sorted_products()
        if (category is None or p.category == category)
        and wanted.issubset(p.tags)
        and (min_price is None or p.price >= min_price)
        and (max_price is None or p.price <= max_price)
        and (in_stock is None or p.in_stock is in_stock)
    ]
    return ProductPage(total=len(found), items=found[offset:][:limit])


@app.get("/search", response_model=SearchResult)
async def search(q: Annotated[str, Query(min_length=2, max_length=30)]) -> SearchResult:
    needle = q.casefold()
    found = [p for p in sorted_products() if needle in p.name.casefold()]
    return SearchResult(query=q, count=len(found), results=found)
