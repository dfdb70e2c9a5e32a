"""Decay functions: turn travel costs into weights between 0 and 1.

Each function returns a :class:`Decay`, a small frozen object that is called on an array of
travel costs and gives one weight per cost. The formulas and the edge conventions (``<=``
against ``<``, what happens exactly at a cutoff or a step) are those of the ``decay_*``
functions of the ipea R package *accessibility*
(https://ipeagit.github.io/accessibility/), one parameter value per object.

Costs are in the unit of the travel cost column they are applied to: minutes for the
default ``travel_time``. A missing cost (NaN) means "not reachable" and gets weight 0.

>>> from reachable import decay
>>> decay.binary(30)([20, 30, 35]).tolist()
[1.0, 1.0, 0.0]
>>> decay.stepped([10, 20], [0.5, 0.0])([5, 10, 25]).tolist()
[1.0, 0.5, 0.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import finite_number as _number
from .errors import InvalidParameterError

__all__ = ["Decay", "binary", "exponential", "linear", "logistic", "power", "stepped", "weights"]


def _non_negative(value: Any, name: str) -> float:
    number = _number(value, name)
    if number < 0:
        raise InvalidParameterError(f"{name} must be >= 0, got {value!r}")
    return number


def _positive(value: Any, name: str) -> float:
    number = _number(value, name)
    if number <= 0:
        raise InvalidParameterError(f"{name} must be > 0, got {value!r}")
    return number


def _numbers(values: Any, name: str) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise InvalidParameterError(f"{name} must be a sequence of numbers, got {values!r}")
    numbers = tuple(_number(v, f"{name}[{i}]") for i, v in enumerate(values))
    if not numbers:
        raise InvalidParameterError(f"{name} is empty")
    return numbers


# Validators: check the parameters of each kind of decay and return them normalised
# (plain floats, tuples), so that Decay objects compare and print cleanly.


def _check_binary(cutoff: Any) -> dict:
    return {"cutoff": _non_negative(cutoff, "cutoff")}


def _check_exponential(beta: Any) -> dict:
    return {"beta": _non_negative(beta, "beta")}


def _check_linear(cutoff: Any) -> dict:
    return {"cutoff": _positive(cutoff, "cutoff")}


def _check_power(beta: Any) -> dict:
    return {"beta": _non_negative(beta, "beta")}


def _check_logistic(cutoff: Any, sd: Any) -> dict:
    return {"cutoff": _positive(cutoff, "cutoff"), "sd": _positive(sd, "sd")}


def _check_stepped(steps: Any, weights: Any) -> dict:
    steps_ = _numbers(steps, "steps")
    weights_ = _numbers(weights, "weights")
    if steps_[0] <= 0:
        raise InvalidParameterError(
            f"steps must be > 0 (the weight is 1 from cost 0 up to the first step), got {steps_[0]!r}"
        )
    if any(b <= a for a, b in itertools.pairwise(steps_)):
        raise InvalidParameterError(f"steps must be strictly increasing, got {list(steps_)}")
    if len(weights_) != len(steps_):
        raise InvalidParameterError(
            f"weights must have one value per step: {len(steps_)} steps but {len(weights_)} weights"
        )
    outside = [w for w in weights_ if not 0 <= w <= 1]
    if outside:
        raise InvalidParameterError(f"weights must lie in [0, 1], got {outside}")
    return {"steps": steps_, "weights": weights_}


# Kernels: weights for an array of non-negative costs (NaN handled by Decay.__call__).


def _binary(cost: np.ndarray, cutoff: float) -> np.ndarray:
    return (cost <= cutoff).astype(np.float64)


def _exponential(cost: np.ndarray, beta: float) -> np.ndarray:
    return np.exp(-beta * cost)


def _linear(cost: np.ndarray, cutoff: float) -> np.ndarray:
    return np.maximum(1.0 - cost / cutoff, 0.0)


def _power(cost: np.ndarray, beta: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.minimum(cost ** (-beta), 1.0)


def _logistic(cost: np.ndarray, cutoff: float, sd: float) -> np.ndarray:
    scale = math.pi / (sd * math.sqrt(3.0))
    with np.errstate(over="ignore"):
        return (1.0 + math.exp(-cutoff * scale)) / (1.0 + np.exp((cost - cutoff) * scale))


def _stepped(cost: np.ndarray, steps: tuple, weights: tuple) -> np.ndarray:
    bounds = np.concatenate(([0.0], steps))
    values = np.concatenate(([1.0], weights))
    # index of the last bound <= cost: the weight of a step applies from the step itself
    index = np.searchsorted(bounds, cost, side="right") - 1
    return values[np.clip(index, 0, len(values) - 1)]


_KINDS: dict[str, tuple[Callable[..., dict], Callable[..., np.ndarray]]] = {
    "binary": (_check_binary, _binary),
    "exponential": (_check_exponential, _exponential),
    "linear": (_check_linear, _linear),
    "power": (_check_power, _power),
    "logistic": (_check_logistic, _logistic),
    "stepped": (_check_stepped, _stepped),
}


@dataclass(frozen=True)
class Decay:
    """A decay function: called on travel costs, it returns weights in [0, 1].

    Build one with :func:`binary`, :func:`exponential`, :func:`linear`, :func:`power`,
    :func:`logistic` or :func:`stepped` rather than directly.

    Attributes
    ----------
    name : str
        The kind of decay: ``"binary"``, ``"exponential"``, ``"linear"``, ``"power"``,
        ``"logistic"`` or ``"stepped"``.
    params : dict
        Its parameters, in the unit of the travel cost (minutes for travel times).
    """

    name: str
    params: dict

    def __post_init__(self) -> None:
        if self.name not in _KINDS:
            raise InvalidParameterError(
                f"unknown decay {self.name!r}; choose one of {', '.join(sorted(_KINDS))}"
            )
        check = _KINDS[self.name][0]
        try:
            params = check(**self.params)
        except TypeError as error:
            raise InvalidParameterError(f"wrong parameters for a {self.name} decay: {error}") from None
        object.__setattr__(self, "params", params)

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def __call__(self, cost: np.ndarray) -> np.ndarray:
        """Weights of the given travel costs.

        Parameters
        ----------
        cost : array_like of float
            Travel costs, >= 0, in the unit of the decay's parameters (minutes by default).
            NaN means "not reachable".

        Returns
        -------
        numpy.ndarray of float64
            One weight in [0, 1] per cost, same shape; 0 where the cost is NaN.

        Raises
        ------
        InvalidParameterError
            A negative cost.
        """
        cost = np.asarray(cost, dtype=np.float64)
        missing = np.isnan(cost)
        if np.any(cost[~missing] < 0):
            raise InvalidParameterError(
                f"travel costs must be >= 0; got {int(np.sum(cost[~missing] < 0))} negative values"
            )
        weights = np.asarray(_KINDS[self.name][1](cost, **self.params), dtype=np.float64)
        if missing.any():
            weights = np.where(missing, 0.0, weights)
        return weights

    @property
    def max_cost(self) -> float:
        """Cost beyond which the weight is 0 (``inf`` if it never gets there).

        Rows of a travel matrix costing more than this can be dropped before weighting.
        """
        if self.name in ("binary", "linear"):
            return self.params["cutoff"]
        if self.name == "stepped":
            bounds = (0.0, *self.params["steps"])
            values = (1.0, *self.params["weights"])
            last_positive = max(i for i, w in enumerate(values) if w > 0)
            return bounds[last_positive + 1] if last_positive + 1 < len(bounds) else math.inf
        return math.inf


def binary(cutoff: float) -> Decay:
    """Binary (step) decay, as ipea's ``decay_binary``: everything within the cutoff counts fully.

    ``f(t) = 1 if t <= cutoff else 0``.

    Parameters
    ----------
    cutoff : float
        Travel cost cutoff, >= 0, in the unit of the travel cost (minutes by default). A cost
        equal to the cutoff still gets weight 1.

    Returns
    -------
    Decay
        With ``max_cost == cutoff``.

    Raises
    ------
    InvalidParameterError
        A negative, infinite or non-numeric cutoff.
    """
    return Decay("binary", {"cutoff": cutoff})


def exponential(beta: float) -> Decay:
    """Negative exponential decay, as ipea's ``decay_exponential``: ``f(t) = exp(-beta * t)``.

    Parameters
    ----------
    beta : float
        Decay rate, >= 0, per unit of travel cost (per minute by default): ``exponential(0.1)``
        weighs a 10-minute trip ``exp(-1) ~ 0.368``.

    Returns
    -------
    Decay
        With ``max_cost == inf``.

    Raises
    ------
    InvalidParameterError
        A negative, infinite or non-numeric beta.
    """
    return Decay("exponential", {"beta": beta})


def linear(cutoff: float) -> Decay:
    """Linear decay, as ipea's ``decay_linear``: ``f(t) = max(1 - t / cutoff, 0)``.

    The weight falls from 1 at cost 0 to 0 at the cutoff and stays 0 beyond.

    Parameters
    ----------
    cutoff : float
        Travel cost at which the weight reaches 0, > 0, in the unit of the travel cost
        (minutes by default).

    Returns
    -------
    Decay
        With ``max_cost == cutoff``.

    Raises
    ------
    InvalidParameterError
        A cutoff that is not a finite number > 0 (ipea accepts 0, which divides by zero).
    """
    return Decay("linear", {"cutoff": cutoff})


def power(beta: float) -> Decay:
    """Inverse power decay, as ipea's ``decay_power``: ``f(t) = min(t ** -beta, 1)``.

    Costs below 1 (including 0) get weight 1, so the result depends on the unit of cost.

    Parameters
    ----------
    beta : float
        Exponent, >= 0 (``beta == 0`` weighs everything 1).

    Returns
    -------
    Decay
        With ``max_cost == inf``.

    Raises
    ------
    InvalidParameterError
        A negative, infinite or non-numeric beta.
    """
    return Decay("power", {"beta": beta})


def logistic(cutoff: float, sd: float) -> Decay:
    """Logistic decay, as ipea's ``decay_logistic`` (adjusted curve of Bauer & Groneberg, 2016).

    ``f(t) = g(0) / g(t)`` with ``g(x) = 1 + exp((x - cutoff) * pi / (sd * sqrt(3)))``: a
    reversed logistic CDF with inflection point ``cutoff`` and standard deviation ``sd``,
    rescaled so that ``f(0) == 1``. At the cutoff the weight is
    ``(1 + exp(-cutoff * pi / (sd * sqrt(3)))) / 2``: 0.5 up to a term that is negligible
    unless ``sd`` is large against ``cutoff`` (``logistic(30, 10)`` gives 0.502 at 30).

    Parameters
    ----------
    cutoff : float
        Inflection point, > 0, in the unit of the travel cost (minutes by default).
    sd : float
        Standard deviation, > 0, same unit: near 0 the curve approaches a binary decay,
        large values flatten it.

    Returns
    -------
    Decay
        With ``max_cost == inf``.

    Raises
    ------
    InvalidParameterError
        A cutoff or sd that is not a finite number > 0.
    """
    return Decay("logistic", {"cutoff": cutoff, "sd": sd})


def stepped(steps: Sequence[float], weights: Sequence[float]) -> Decay:
    """Stepped decay, as ipea's ``decay_stepped``: the weight drops at each step.

    The weight is 1 from cost 0 up to (not including) ``steps[0]``, then ``weights[k]`` from
    ``steps[k]`` (included) up to ``steps[k + 1]`` (excluded), and ``weights[-1]`` from the
    last step on: intervals are closed on the left, so the new weight applies exactly at
    the step. ``stepped([10, 20, 30, 40], [0.75, 0.5, 0.25, 0])`` gives 1, 0.75, 0.5, 0.25, 0
    at costs 0, 10, 20, 30, 40.

    Parameters
    ----------
    steps : sequence of float
        Strictly increasing costs > 0 where the weight changes (do not include 0), in the
        unit of the travel cost (minutes by default).
    weights : sequence of float
        The weight in [0, 1] taken from each step on, one per step (do not include the
        initial 1).

    Returns
    -------
    Decay
        ``max_cost`` is the step from which all weights are 0, ``inf`` if the last weight is
        positive.

    Raises
    ------
    InvalidParameterError
        Empty, non-positive or non-increasing steps, weights outside [0, 1] or not one per
        step.
    """
    return Decay("stepped", {"steps": steps, "weights": weights})


def weights(decay: Callable[[np.ndarray], np.ndarray], cost: np.ndarray) -> np.ndarray:
    """The weights ``decay`` gives to ``cost``, checked: one finite weight >= 0 per cost.

    ``decay`` is a :class:`Decay` or any function of an array of costs (reachable costs
    only: callers give unreachable pairs weight 0 themselves).

    Raises
    ------
    InvalidParameterError
        ``decay`` is not callable, or returns the wrong number of weights, or weights that
        are negative, NaN or infinite.
    """
    if not callable(decay):
        raise InvalidParameterError(
            f"decay must be a reachable.decay function such as decay.exponential(0.1), got {decay!r}"
        )
    values = np.asarray(decay(cost), dtype=np.float64)
    if values.shape != np.shape(cost):
        raise InvalidParameterError(
            f"decay returned {values.shape} weights for {np.shape(cost)} costs; it must return one per cost"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidParameterError("decay returned negative, NaN or infinite weights")
    return values
