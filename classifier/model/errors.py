"""Errors raised by the text model (:mod:`classifier.model`)."""
from classifier.exceptions import ClassifierError


class ModelError(ClassifierError):
    """Raised when a saved model cannot be used: missing or corrupt files, or versions that
    differ from the ones it was trained with (raised by :func:`classifier.model.load`), or
    training data the model cannot learn from (raised by :func:`classifier.model.train`).
    The message says what to do, usually 运行 orgwatch model train 重新训练.
    """
