"""Routes of the provider area."""

from fastapi import APIRouter

router = APIRouter()
