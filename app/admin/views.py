"""Routes of the admin area."""

from fastapi import APIRouter

router = APIRouter()
