"""The original experiment's settings: the one home of every default that comes from it.

Contract
--------
``ORIGINAL`` is the experiment of the question (``STUDY.md``): a ReLU
student ``relu(w x)`` fitted to ``relu(x)`` on fresh N(0, 1) batches of
1000, Keras' mean squared error, plain SGD at Keras' default step (0.01),
20 epochs of 100 steps, float32, from the backwards start ``w0 = -10``.
Commands, experiments, the explorer and the report read their defaults
from it (and the step from :func:`landscape.optimizers.defaults`), never
retype them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .optimizers import defaults

__all__ = ["ORIGINAL", "Original"]


@dataclass(frozen=True)
class Original:
    """The settings of the original experiment (see the module docstring).

    Attributes:
      w0: the backwards start of the code shown in the question.
      good_w0: a start on the good side, used to show the case that works
        (the question shows one without giving its value).
      optimizer, learning_rate: plain SGD at Keras' default step.
      epochs, steps_per_epoch: the record of the run (``steps`` in all).
      batch_size: fresh samples per step; dtype: Keras' float32; seed: 0.
    """

    student: str = "relu"
    teacher: str = "relu"
    inputs: str = "gaussian"
    w0: float = -10.0
    good_w0: float = 2.0
    optimizer: str = "sgd"
    learning_rate: float = defaults("sgd")["learning_rate"]
    epochs: int = 20
    steps_per_epoch: int = 100
    batch_size: int = 1000
    dtype: str = "float32"
    seed: int = 0
    definitions: str = "keras"

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def label(self) -> str:
        return (
            f"original: {self.optimizer.upper()}, lr {self.learning_rate:g}, {self.steps} steps, "
            f"batch {self.batch_size}, {self.definitions.capitalize()} definitions"
        )


ORIGINAL = Original()
