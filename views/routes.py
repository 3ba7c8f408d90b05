"""The route table: URL pattern -> screen, with each screen's parent for the back stack."""

from __future__ import annotations

from views.car_detail import car_screen
from views.catalogue import catalogue_screen
from views.compare import compare_screen, restore_compare
from views.contract import contract_screen
from views.dealer import (
    application_screen,
    customers_screen,
    handoff_done_screen,
    new_application_screen,
    pipeline_screen,
    return_screen,
)
from views.loans import loan_screen, loans_screen
from views.offer_detail import offer_screen, reopen_offer
from views.offers import offers_screen
from views.prequal import prequal_screen, restore_car
from views.settings import settings_screen
from views.shell import Route
from views.signin import signin_screen


def routes() -> list[Route]:
    return [
        Route("/signin", signin_screen),
        Route("/cars", catalogue_screen, nav="/cars"),
        Route("/cars/:id", car_screen, parent=lambda p: "/cars"),
        Route("/compare", compare_screen, parent=lambda p: "/cars"),
        # the cars compared, named in the address: /compare/<id>,<id>
        Route("/compare/:ids", compare_screen, parent=lambda p: "/cars", restore=restore_compare),
        Route(
            "/cars/:id/prequal",
            prequal_screen,
            parent=lambda p: f"/cars/{p['id']}",
            restore=restore_car,
        ),
        Route("/offers", offers_screen, nav="/offers"),
        Route("/offers/:id", offer_screen, parent=lambda p: "/offers", restore=reopen_offer),
        Route(
            "/contract/:id",
            contract_screen,
            parent=lambda p: f"/offers/{p['id']}",
            restore=reopen_offer,
        ),
        Route("/loans", loans_screen, nav="/loans"),
        Route("/loans/:id", loan_screen, parent=lambda p: "/loans"),
        Route("/settings", settings_screen, nav="/settings"),
        Route("/dealer/new", new_application_screen, nav="/dealer/new"),
        Route("/dealer/pipeline", pipeline_screen, nav="/dealer/pipeline"),
        Route("/dealer/customers", customers_screen, nav="/dealer/customers"),
        Route("/dealer/applications/:id", application_screen, parent=lambda p: "/dealer/pipeline"),
        # the customer's view of a tablet handed over by staff: no staff navigation
        Route("/handoff", prequal_screen),
        Route("/handoff/offers", offers_screen),
        Route("/handoff/offers/:id", offer_screen, parent=lambda p: "/handoff/offers"),
        Route(
            "/handoff/contract/:id", contract_screen, parent=lambda p: f"/handoff/offers/{p['id']}"
        ),
        Route("/handoff/done", handoff_done_screen),
        Route("/handoff/return", return_screen),
    ]
