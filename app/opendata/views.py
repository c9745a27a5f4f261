"""Routes of the opendata area."""

from fastapi import APIRouter

router = APIRouter()
