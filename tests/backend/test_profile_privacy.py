"""The ID number and phone never leave the device (local_db.repositories.people
``profile_payload`` drops their ciphertexts), and the server refuses them: a profile pushed
with them in clear is neither stored nor served back on pull."""

from __future__ import annotations

from tests.backend.factories import make_user, new_id, server_app

ID_NUMBER = "110101199203071234"
PHONE = "13812345678"


def test_the_server_refuses_to_keep_a_clear_id_number_or_phone_in_a_profile(tmp_path):
    api = server_app(tmp_path)
    client, _ = make_user(api)
    op = {
        "op_id": new_id(),
        "entity": "profile",
        "entity_id": new_id(),
        "payload": {"full_name": "李明", "id_number": ID_NUMBER, "phone": PHONE},
        "created_ms": 1_000,
    }
    client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    pulled = client.get("/sync/pull", params={"since": 0}).json()["changes"]
    stored = [c["data"] for c in pulled if c["entity"] == "profile"]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("server.db*"))
    assert ID_NUMBER.encode() not in raw and PHONE.encode() not in raw
    assert all("id_number" not in d and "phone" not in d for d in stored if d)
