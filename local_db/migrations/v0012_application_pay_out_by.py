"""Version 12: the date a signed application must be paid out by (``applications.pay_out_by``,
its contract's first repayment date). The server sets it from the contract's loan and every
device that holds the application pulls it: the dealership's tablets never hold a buyer's own
contract, so before it they could not say by when a loan the buyer signed on their phone must
be paid out, nor refuse a payout that came too late. Applications signed before keep none
until the server sends them again."""

VERSION = 12

STATEMENTS = ("ALTER TABLE applications ADD COLUMN pay_out_by DATE",)


def upgrade(connection) -> None:
    for statement in STATEMENTS:
        connection.exec_driver_sql(statement)
