"""API: who am I."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import required_auth

router = Router(tags=["accounts"], auth=required_auth)


class MeOut(Schema):
    username: str
    name: str = Field(alias="get_full_name")
    role: str
    role_name: str = Field(alias="get_role_display")
    organisation_id: int | None
    organisation_name: str | None = Field(None, alias="organisation.name")


@router.get("", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest):
    return request.auth
