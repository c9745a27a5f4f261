"""Routes of the feedback area."""

from fastapi import APIRouter

router = APIRouter()
