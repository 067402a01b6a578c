"""HTTP edge of jobseekers (filled in by the jobseekers work)."""

from fastapi import APIRouter

router = APIRouter()
