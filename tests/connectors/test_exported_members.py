import connectors


def test_all_is_sorted_and_complete():
    assert connectors.__all__ == sorted(connectors.__all__, key=str)
    public = {
        name
        for name, value in vars(connectors).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("connectors")
    }
    assert public <= set(connectors.__all__)
    for name in connectors.__all__:
        assert hasattr(connectors, name)


def test_importing_connectors_does_not_import_prefect():
    import subprocess
    import sys

    code = "import sys, connectors, connectors.meta_ads; print('prefect' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
