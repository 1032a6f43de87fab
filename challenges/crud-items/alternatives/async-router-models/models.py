from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, conint


class ItemBase(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Optional[str] = None
    price: PositiveFloat
    quantity: conint(ge=0) = 0  # type: ignore[valid-type]


class ItemCreate(ItemBase):
    pass


class ItemRead(ItemBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
