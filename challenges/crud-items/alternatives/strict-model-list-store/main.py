"""Strict pydantic input (no coercion), a list-backed repository with its own id counter,
async handlers and explicit status codes."""

from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field


class ItemBody(BaseModel):
    model_config = ConfigDict(strict=True)

    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)


class ItemOut(ItemBody):
    id: int


class Repository:
    def __init__(self) -> None:
        self.rows: list[ItemOut] = []
        self.last_id = 0

    def add(self, body: ItemBody) -> ItemOut:
        self.last_id += 1
        row = ItemOut(id=self.last_id, **body.model_dump())
        self.rows.append(row)
        return row

    def index_of(self, item_id: int) -> int:
        for index, row in enumerate(self.rows):
            if row.id == item_id:
                return index
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")


repo = Repository()
router = APIRouter(prefix="/items")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ItemOut)
async def create(body: ItemBody):
    return repo.add(body)


@router.get("", response_model=list[ItemOut])
async def list_all(
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
):
    return repo.rows[skip : skip + limit]


@router.get("/{item_id}", response_model=ItemOut)
async def get_one(item_id: Annotated[int, Path()]):
    return repo.rows[repo.index_of(item_id)]


@router.put("/{item_id}", response_model=ItemOut)
async def replace(item_id: int, body: ItemBody):
    index = repo.index_of(item_id)
    repo.rows[index] = ItemOut(id=item_id, **body.model_dump())
    return repo.rows[index]


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove(item_id: int):
    repo.rows.pop(repo.index_of(item_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


app = FastAPI()
app.include_router(router)
