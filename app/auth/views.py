"""Routes of the auth area."""

from fastapi import APIRouter

router = APIRouter()
