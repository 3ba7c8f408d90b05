"""The route table: URL pattern -> screen, with each screen's parent for the back stack."""

from __future__ import annotations

from views.car_detail import car_screen
from views.catalogue import catalogue_screen
from views.compare import compare_screen
from views.contract import contract_screen
from views.loans import loan_screen, loans_screen
from views.offer_detail import offer_screen
from views.offers import offers_screen
from views.prequal import prequal_screen
from views.settings import settings_screen
from views.shell import Route
from views.signin import signin_screen


def routes() -> list[Route]:
    return [
        Route("/signin", signin_screen),
        Route("/cars", catalogue_screen, nav="/cars"),
        Route("/cars/:id", car_screen, parent=lambda p: "/cars"),
        Route("/compare", compare_screen, parent=lambda p: "/cars"),
        Route("/prequal", prequal_screen, parent=lambda p: "/cars"),
        Route("/offers", offers_screen, nav="/offers"),
        Route("/offers/:id", offer_screen, parent=lambda p: "/offers"),
        Route("/contract/:id", contract_screen, parent=lambda p: f"/offers/{p['id']}"),
        Route("/loans", loans_screen, nav="/loans"),
        Route("/loans/:id", loan_screen, parent=lambda p: "/loans"),
        Route("/settings", settings_screen, nav="/settings"),
    ]
