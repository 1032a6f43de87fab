"""Async handlers on an APIRouter, pydantic models in their own module, response_model."""

import asyncio

from fastapi import APIRouter, FastAPI, HTTPException, Query, status

from models import ItemCreate, ItemRead


class Repository:
    def __init__(self) -> None:
        self._rows: list[ItemRead] = []
        self._last_id = 0
        self._lock = asyncio.Lock()

    async def add(self, data: ItemCreate) -> ItemRead:
        async with self._lock:
            self._last_id += 1
            row = ItemRead(id=self._last_id, **data.model_dump())
            self._rows.append(row)
            return row

    def index_of(self, item_id: int) -> int:
        for index, row in enumerate(self._rows):
            if row.id == item_id:
                return index
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")

    def page(self, skip: int, limit: int) -> list[ItemRead]:
        return self._rows[skip:][:limit]

    def get(self, item_id: int) -> ItemRead:
        return self._rows[self.index_of(item_id)]

    def replace(self, item_id: int, data: ItemCreate) -> ItemRead:
        index = self.index_of(item_id)
        self._rows[index] = ItemRead(id=item_id, **data.model_dump())
        return self._rows[index]

    def remove(self, item_id: int) -> None:
        self._rows.pop(self.index_of(item_id))


repo = Repository()
router = APIRouter(prefix="/items", tags=["items"])


@router.post("", response_model=ItemRead, status_code=status.HTTP_201_CREATED)
async def create(payload: ItemCreate):
    return await repo.add(payload)


@router.get("", response_model=list[ItemRead])
async def index(skip: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=100)):
    return repo.page(skip, limit)


@router.get("/{item_id}", response_model=ItemRead)
async def show(item_id: int):
    return repo.get(item_id)


@router.put("/{item_id}", response_model=ItemRead)
async def update(item_id: int, payload: ItemCreate):
    return repo.replace(item_id, payload)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def destroy(item_id: int) -> None:
    repo.remove(item_id)


app = FastAPI()
app.include_router(router)
