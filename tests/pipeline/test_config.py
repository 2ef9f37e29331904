import pytest

from pipeline.config import DEFAULT_RECIPE, Config, ConfigError, load_config, resolve_partitions


def test_default_recipe_equals_the_code_defaults():
    # configs/tiny_clip.yaml and --set rely on unspecified keys meaning the recipe's defaults
    assert load_config(DEFAULT_RECIPE).to_dict() == Config().to_dict()


def test_overrides_types_and_errors():
    cfg = load_config(None, ["duration.max_seconds=90", "language.keep_labels=[zh]", "near_dup.enabled=false"])
    assert cfg.duration.max_seconds == 90.0 and cfg.language.keep_labels == ["zh"] and not cfg.near_dup.enabled
    with pytest.raises(ConfigError, match="unknown config key"):
        load_config(None, ["nope.x=1"])
    with pytest.raises(ConfigError, match="expected a number"):
        load_config(None, ["duration.max_seconds=abc"])
    assert load_config(None, ["duration.max_seconds=90"]).fingerprint() != load_config().fingerprint()


def test_auto_partitions_follow_the_workers():
    assert resolve_partitions(load_config(), 1 << 20, 1).near_dup.partitions == 8
    assert resolve_partitions(load_config(), 1 << 30, 2).exact_dup.partitions == 8   # follows the workers
    assert resolve_partitions(load_config(), 1 << 30, 50).exact_dup.partitions == 100
    assert resolve_partitions(load_config(), 10 << 30, 2).exact_dup.partitions == 40  # <= 256 MiB each
