"""Optimisers written out in a few lines, so their constants match the references exactly.

Keras' defaults differ from the PyTorch references (Adam eps 1e-7, RMSprop rho 0.9), and plain
``tf.Variable`` slots are created eagerly, so the update step can be one ``tf.function`` from its
first call.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


class Adam(tf.Module):
    """Adam (Kingma & Ba 2015) with bias correction; eps added outside the square root."""

    def __init__(
        self,
        variables: Sequence[tf.Variable],
        lr: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.variables_ = list(variables)
        self.lr = tf.Variable(lr, dtype=tf.float32, trainable=False, name="lr")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables_]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables_]

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        self.step.assign_add(1)
        t = tf.cast(self.step, tf.float32)
        scale = self.lr * tf.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        for var, g, m, v in zip(self.variables_, grads, self.m, self.v, strict=True):
            m.assign(self.beta1 * m + (1.0 - self.beta1) * g)
            v.assign(self.beta2 * v + (1.0 - self.beta2) * tf.square(g))
            # eps scaled by v's bias correction: equals PyTorch's m_hat / (sqrt(v_hat) + eps)
            var.assign_sub(scale * m / (tf.sqrt(v) + self.eps * tf.sqrt(1.0 - self.beta2**t)))


class RMSprop(tf.Module):
    """RMSprop as in PyTorch: eps outside the square root, ``alpha`` the smoothing constant."""

    def __init__(
        self,
        variables: Sequence[tf.Variable],
        lr: float,
        alpha: float = 0.99,
        eps: float = 1e-5,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.variables_ = list(variables)
        self.lr = tf.Variable(lr, dtype=tf.float32, trainable=False, name="lr")
        self.alpha, self.eps = alpha, eps
        self.sq = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables_]

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        for var, g, sq in zip(self.variables_, grads, self.sq, strict=True):
            sq.assign(self.alpha * sq + (1.0 - self.alpha) * tf.square(g))
            var.assign_sub(self.lr * g / (tf.sqrt(sq) + self.eps))
