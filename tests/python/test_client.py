"""The Python client (tools/python/fotasim) against a real fotasim: ports, AT commands, control
requests, events, a power cycle, and the pytest fixture itself."""

import os

import pytest

import fotasim


def test_fixture_gives_a_booted_module(fotasim_module):
    usb = fotasim_module.port("usb")
    assert usb.command("ATE0") == ["OK"]
    answer = usb.command("ATI")
    assert answer[:2] == ["Quectel", "EC200U"]
    assert answer[2].startswith("Revision: EC200U")
    assert answer[-1] == "OK"
    assert usb.command("AT+CSQ") == ["+CSQ: 24,99", "OK"]
    assert usb.command("AT+QFOTADL") == ["ERROR"]
    assert fotasim_module.status()["power"] == "on"


def test_control_and_events(fotasim_module):
    main = fotasim_module.port("main")
    main.command("ATE0")
    fotasim_module.control("network", rssi=7)
    assert main.command("AT+CSQ") == ["+CSQ: 7,99", "OK"]
    fotasim_module.control("power", action="cut")
    assert fotasim_module.status()["power"] == "off"
    event = fotasim_module.wait_event("tx", match="RDY", port="main", timeout=10000,
                                      then={"cmd": "power", "action": "on"})
    assert "RDY" in event["data"]
    main.read_until("+QIND: SMS DONE\r\n", 15)
    main.write("AT\r")  # the echo is back on after the power cycle (ATE0 was not saved)
    assert main.read_until("OK\r\n") == b"AT\r\r\nOK\r\n"
    assert main.command("AT") == ["OK"]  # command() leaves the echo out


def test_errors_are_exceptions(fotasim_module):
    with pytest.raises(fotasim.FotasimError, match="no such module"):
        fotasim_module.control("status", module=5)
    with pytest.raises(fotasim.FotasimError, match="no urc event"):
        fotasim_module.wait_event("urc", match="never said", timeout=200)


def test_a_module_without_the_fixture(tmp_path):
    state = tmp_path / "state"
    with fotasim.Module(state_dir=str(state)) as m:
        usb = m.port("usb")
        usb.command("ATE0")
        assert usb.command("AT+QCFG=\"fota/cid\",2") == ["OK"]
    assert (state / "nv.json").exists()  # a given state dir is kept
    with fotasim.Module(state_dir=str(state)) as m:
        usb = m.port("usb")
        usb.command("ATE0")
        assert usb.command("AT+QCFG=\"fota/cid\"") == ["+QCFG: \"fota/cid\",2", "OK"]


def test_bad_options_are_reported():
    with pytest.raises(fotasim.FotasimError, match="did not get ready: fotasim: bad --timing"):
        fotasim.Module(args=["--timing", "warp"]).start()


@pytest.mark.fotasim_args("--model", "EG915U")
def test_fixture_takes_options(fotasim_module):
    usb = fotasim_module.port("usb")
    usb.command("ATE0")
    assert usb.command("AT+CGMM") == ["EG915U", "OK"]
