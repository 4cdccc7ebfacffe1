"""Schemas and pagination shared by every router."""

from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Page(PaginationBase):
    """Page-number pagination: ?page=1&page_size=50 → {count, page, page_size, items}."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100000)
        page_size: int = Field(
            settings.GONGZHI["API_PAGE_SIZE"], ge=1, le=settings.GONGZHI["API_MAX_PAGE_SIZE"]
        )

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        start = (pagination.page - 1) * pagination.page_size
        return {
            "count": queryset.count()
            if hasattr(queryset, "count") and not isinstance(queryset, list)
            else len(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[start : start + pagination.page_size]),
        }


class Message(Schema):
    detail: str
