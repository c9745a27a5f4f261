"""Routes of the funding area."""

from fastapi import APIRouter

router = APIRouter()
