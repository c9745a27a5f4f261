"""Routes of the planning area."""

from fastapi import APIRouter

router = APIRouter()
