"""Visual abstractor: fixed-size query summary of any number of visual tokens, projected to the LLM width."""
import pytest
import torch

from models.abstractor import AbstractorConfig, VisualAbstractor


def make(**overrides) -> VisualAbstractor:
    torch.manual_seed(0)
    cfg = dict(num_queries=8, width=32, layers=1, heads=4, mlp_ratio=4.0, output_dim=48)
    return VisualAbstractor(AbstractorConfig(**{**cfg, **overrides})).eval()


def test_shapes_and_projection():
    abstractor = make()
    tokens = torch.randn(3, 50, 32)
    hidden, out = abstractor.encode(tokens), abstractor(tokens)
    assert hidden.shape == (3, 8, 32) and out.shape == (3, 8, 48) and abstractor.output_dim == 48
    torch.testing.assert_close(out, abstractor.proj(hidden))
    # the final LayerNorm: every query output is normalised (unit gain, zero bias at init)
    torch.testing.assert_close(hidden.mean(-1), torch.zeros(3, 8), atol=1e-5, rtol=0)
    # any number of tokens gives the same number of outputs
    assert abstractor(torch.randn(1, 7, 32)).shape == (1, 8, 48)
    plain = make(output_dim=None, layers=2)
    assert plain(tokens).shape == (3, 8, 32) and plain.output_dim == 32 and len(plain.layers) == 2


def test_output_depends_on_tokens_not_their_order():
    abstractor = make()
    tokens = torch.randn(2, 20, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out = abstractor(tokens)
        assert not torch.allclose(out, abstractor(torch.randn_like(tokens)), atol=1e-3)
        # no positions inside the abstractor: the encoder already put them into the tokens
        torch.testing.assert_close(abstractor(tokens[:, torch.randperm(20)]), out, atol=1e-5, rtol=1e-5)
        # batch rows do not see each other
        torch.testing.assert_close(abstractor(tokens[:1]), out[:1], atol=1e-5, rtol=1e-5)


def test_token_mask_equals_dropping_the_tokens():
    abstractor = make()
    tokens = torch.randn(1, 20, 32, generator=torch.Generator().manual_seed(2))
    padded = torch.cat([tokens[:, :12], torch.randn(1, 8, 32) * 100], dim=1)
    mask = torch.zeros(1, 20, dtype=torch.long)
    mask[:, :12] = 1
    with torch.no_grad():
        torch.testing.assert_close(abstractor(padded, mask), abstractor(tokens[:, :12]), atol=1e-5, rtol=1e-5)


def test_input_projection_for_other_vision_widths_and_gradients():
    abstractor = make(vision_width=24).train()
    assert isinstance(abstractor.input_proj, torch.nn.Linear)
    abstractor(torch.randn(2, 10, 24)).pow(2).mean().backward()
    for name, p in abstractor.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert isinstance(make(vision_width=32).input_proj, torch.nn.Identity)


def test_config_validation():
    with pytest.raises(ValueError, match="divisible"):
        AbstractorConfig(width=30, heads=4)
    with pytest.raises(ValueError, match="at least one"):
        AbstractorConfig(num_queries=0)
