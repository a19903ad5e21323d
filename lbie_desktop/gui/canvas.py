"""The photo canvas: fit/zoom/pan, before/after compare and split view, mask overlay with
outline, and brush / eraser / click-to-segment editing of the active step's mask.

Scene coordinates are source-image pixels whatever the resolution of the shown pixmap (the
preview proxy, then the full-resolution render), so masks and zoom stay put when it swaps.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from lbie_desktop.gui import mask_tools

OVERLAY_RGB = (255, 64, 129)  # a pink that reads on skies, skin and foliage alike
OVERLAY_ALPHA = 0.45
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 32.0


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    a = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


CHECKER_PX = 12  # square size of the transparency checkerboard, in image pixels


def over_checkerboard(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """What a transparent fill looks like on screen: the photo over the usual grey
    checkerboard (the exported file keeps the real alpha)."""
    if alpha is None:
        return rgb
    h, w = alpha.shape
    yy, xx = np.ogrid[:h, :w]
    board = np.where(((yy // CHECKER_PX) + (xx // CHECKER_PX)) % 2 == 0, 204, 153)
    a = np.clip(alpha, 0, 1)[..., None]
    out = rgb[..., :3].astype(np.float32) * a + board[..., None].astype(np.float32) * (1 - a)
    return np.round(out).astype(np.uint8)


def rgb_to_display_image(rgb: np.ndarray) -> QImage:
    """A QImage already in the screen's native 32-bit format. Safe on worker threads (unlike
    QPixmap), so the UI thread only does a cheap QPixmap.fromImage copy; Qt's own converter
    is several times faster than shuffling channels in numpy."""
    a = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).convertToFormat(
        QImage.Format.Format_RGB32)  # a new image: it owns its pixels


class MaskOverlayItem(QGraphicsItem):
    """The edited region as a translucent colour. Holds a premultiplied ARGB image whose
    pixels are a numpy view, so a brush dab rewrites only the dabbed box (a full rebuild of a
    1600 px mask takes tens of ms; a dab's box, well under one)."""

    def __init__(self, rgb: tuple[int, int, int] = OVERLAY_RGB, alpha: float = OVERLAY_ALPHA):
        super().__init__()
        self.rgb, self.alpha = rgb, alpha
        self.image: QImage | None = None
        self._pixels: np.ndarray | None = None

    def has_mask(self) -> bool:
        return self.image is not None

    def set_mask(self, mask: np.ndarray | None) -> None:
        self.prepareGeometryChange()
        if mask is None:
            self.image, self._pixels = None, None
            return
        h, w = mask.shape
        self.image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        bpl = self.image.bytesPerLine()
        buf = np.frombuffer(self.image.bits(), np.uint8, count=bpl * h)
        self._pixels = buf.reshape(h, bpl)[:, : 4 * w].reshape(h, w, 4)
        self.update_box(mask, (0, 0, w, h))

    def update_box(self, mask: np.ndarray, box: tuple[int, int, int, int]) -> None:
        if self._pixels is None:
            return
        x0, y0, x1, y1 = box
        a = np.clip(mask[y0:y1, x0:x1] * self.alpha, 0, 1)
        px = self._pixels[y0:y1, x0:x1]
        for i, c in enumerate((self.rgb[2], self.rgb[1], self.rgb[0])):  # BGRA in memory
            px[..., i] = (a * c).astype(np.uint8)
        px[..., 3] = (a * 255).astype(np.uint8)
        self.update(QRectF(x0, y0, x1 - x0, y1 - y0))

    def boundingRect(self) -> QRectF:  # noqa: N802
        if self.image is None:
            return QRectF()
        return QRectF(0, 0, self.image.width(), self.image.height())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.image is not None:
            painter.drawImage(QPointF(0, 0), self.image)


class Canvas(QGraphicsView):
    zoomChanged = Signal(float)
    compareHeld = Signal(bool)
    strokeLive = Signal()  # the working mask changed during a stroke (re-render preview)
    strokeFinished = Signal(object, object)  # mask before, mask after (float32 arrays)
    segmentClicked = Signal(float, float, bool)  # x, y in mask px, add (False = remove)
    fileDropped = Signal(str)

    TOOLS = ("brush", "eraser", "segment")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform
                            | QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        # pan by dragging (or middle button), as photo editors do: no scroll bars
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QBrush(QColor(30, 30, 32)))
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.image_item = QGraphicsPixmapItem()
        self.image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.image_item)
        # "before" lives in a clipping rect so the split view shows only its left part
        self.before_clip = QGraphicsRectItem()
        self.before_clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.before_clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.before_item = QGraphicsPixmapItem(self.before_clip)
        self.before_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.before_clip)
        self.before_clip.setVisible(False)
        self.split_line = QGraphicsLineItem()
        self.split_line.setPen(QPen(QColor(255, 255, 255, 220), 0))
        self.split_line.setVisible(False)
        self.scene().addItem(self.split_line)

        self.split_labels = [self._label("Before"), self._label("After")]

        self.overlay_item = MaskOverlayItem()
        self.overlay_item.setZValue(5)
        self.scene().addItem(self.overlay_item)
        self.outline_item = QGraphicsPathItem()
        pen = QPen(QColor(*OVERLAY_RGB), 0)  # cosmetic: 1 screen px at any zoom
        pen.setCosmetic(True)
        self.outline_item.setPen(pen)
        self.outline_item.setZValue(6)
        self.scene().addItem(self.outline_item)
        self.cursor_item = QGraphicsEllipseItem()
        cpen = QPen(QColor(255, 255, 255, 230), 0)
        cpen.setCosmetic(True)
        self.cursor_item.setPen(cpen)
        self.cursor_item.setZValue(10)
        self.cursor_item.setVisible(False)
        self.scene().addItem(self.cursor_item)

        self.hint = QGraphicsSimpleTextItem("Open a photo (Ctrl+O) or drop one here")
        self.hint.setBrush(QColor(150, 152, 160))
        font = self.hint.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.hint.setFont(font)
        self.scene().addItem(self.hint)
        r = self.hint.boundingRect()
        self.scene().setSceneRect(QRectF(-r.width(), -r.height() * 4, 3 * r.width(),
                                         9 * r.height()))

        self.source_size: tuple[int, int] = (0, 0)  # w, h
        self._fit = True
        self.compare = False
        self.split = False
        self.split_pos = 0.5
        self._dragging_split = False
        self._pan_from: QPointF | None = None  # middle-button pan (works while painting too)
        # mask editing
        self.mask: np.ndarray | None = None
        self.show_overlay = True
        self.tool = "brush"
        self.brush_size = 40  # diameter in source px
        self.brush_softness = 0.5
        self._painting = False
        self._before_stroke: np.ndarray | None = None
        self._last: tuple[float, float] | None = None

    def _label(self, text: str) -> QGraphicsRectItem:
        """A small caption that keeps its screen size at any zoom."""
        box = QGraphicsRectItem()
        box.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        box.setBrush(QColor(0, 0, 0, 150))
        box.setPen(QPen(Qt.PenStyle.NoPen))
        t = QGraphicsSimpleTextItem(text, box)
        t.setBrush(QColor(255, 255, 255))
        r = t.boundingRect()
        t.setPos(8, 4)
        box.setRect(QRectF(0, 0, r.width() + 16, r.height() + 8))
        box.setZValue(8)
        box.setVisible(False)
        self.scene().addItem(box)
        return box

    # --- content ------------------------------------------------------------------------------
    def set_source_size(self, w: int, h: int) -> None:
        self.hint.setVisible(False)
        self.source_size = (w, h)
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        self.before_clip.setRect(QRectF(0, 0, w, h))
        self._update_split()
        self.fit()

    def set_image(self, rgb: np.ndarray, scale: float | None = None,
                  qimage: QImage | None = None) -> None:
        """Show a render; `scale` = scene px per image px (source / proxy width). A crop or
        rotation changes the render's size, so the scene follows the image's extent.
        `qimage` is the same pixels prepared on a worker (rgb_to_display_image)."""
        self._set_pixmap(self.image_item, rgb, scale, qimage)
        h, w = rgb.shape[:2]
        s = self.image_item.scale()
        rect = QRectF(0, 0, w * s, h * s)
        if (abs(rect.width() - self.sceneRect().width()) > 1
                or abs(rect.height() - self.sceneRect().height()) > 1):
            self.scene().setSceneRect(rect)
            if self._fit:
                self.fit()

    def set_before(self, rgb: np.ndarray) -> None:
        self._set_pixmap(self.before_item, rgb)

    def has_image(self) -> bool:
        return not self.image_item.pixmap().isNull()

    def _set_pixmap(self, item: QGraphicsPixmapItem, rgb: np.ndarray,
                    scale: float | None = None, qimage: QImage | None = None) -> None:
        pm = QPixmap.fromImage(qimage if qimage is not None else rgb_to_display_image(rgb))
        item.setPixmap(pm)
        if scale is not None:
            item.setScale(scale)
        elif self.source_size[0] and pm.width():
            item.setScale(self.source_size[0] / pm.width())

    def displayed_qimage(self) -> QImage:
        return self.image_item.pixmap().toImage()

    # --- compare / split -------------------------------------------------------------------------
    def set_compare(self, on: bool) -> None:
        self.compare = on
        self._update_split()

    def set_split(self, on: bool) -> None:
        self.split = on
        self._update_split()

    def _update_split(self) -> None:
        w, h = self.source_size
        if self.compare:
            self.before_clip.setRect(QRectF(0, 0, w, h))
        else:
            self.before_clip.setRect(QRectF(0, 0, w * self.split_pos, h))
        self.before_clip.setVisible(self.compare or self.split)
        x = w * self.split_pos
        self.split_line.setLine(x, 0, x, h)
        self.split_line.setVisible(self.split and not self.compare)
        before, after = self.split_labels
        z = max(self.zoom(), 1e-6)
        before.setPos(x - (before.rect().width() + 8) / z, 8 / z)
        after.setPos(x + 8 / z, 8 / z)
        before.setVisible(self.split and not self.compare)
        after.setVisible(self.split and not self.compare)

    # --- mask overlay and editing -------------------------------------------------------------
    def set_mask(self, mask: np.ndarray | None) -> None:
        """Show (and allow editing of) a mask; None leaves mask editing."""
        if mask is not None and self.mask is not None and mask.shape == self.mask.shape \
                and np.array_equal(mask, self.mask):
            return  # the stroke just committed: overlay and outline are already current
        self.mask = None if mask is None else mask.astype(np.float32, copy=True)
        self._refresh_overlay(outline=True)
        self._update_cursor_mode()

    def set_overlay_visible(self, on: bool) -> None:
        self.show_overlay = on
        self.overlay_item.setVisible(on)
        self.outline_item.setVisible(on)

    def set_tool(self, tool: str) -> None:
        if tool not in self.TOOLS:
            raise ValueError(tool)
        self.tool = tool
        self._update_cursor_mode()

    def set_brush_size(self, px: int) -> None:
        self.brush_size = max(1, int(px))

    def set_brush_softness(self, s: float) -> None:
        self.brush_softness = float(np.clip(s, 0, 1))

    def editing(self) -> bool:
        return self.mask is not None

    def _mask_scale(self) -> float:
        assert self.mask is not None
        return self.mask.shape[1] / max(1, self.source_size[0])

    def _refresh_overlay(self, outline: bool = False,
                         box: tuple[int, int, int, int] | None = None) -> None:
        """Redraw the overlay (only `box` of it when given) and, on request, the outline."""
        if self.mask is None:
            self.overlay_item.set_mask(None)
            self.outline_item.setPath(QPainterPath())
            return
        if box is not None and self.overlay_item.has_mask():
            self.overlay_item.update_box(self.mask, box)
        else:
            self.overlay_item.set_mask(self.mask)
            self.overlay_item.setScale(1.0 / self._mask_scale())
        if outline:
            path = QPainterPath()
            s = 1.0 / self._mask_scale()
            for c in mask_tools.outline(self.mask):
                path.moveTo(QPointF(c[0, 0] * s, c[0, 1] * s))
                for x, y in c[1:]:
                    path.lineTo(QPointF(x * s, y * s))
                path.closeSubpath()
            self.outline_item.setPath(path)

    def _update_cursor_mode(self) -> None:
        painting_tool = self.editing() and self.tool in ("brush", "eraser")
        self.setDragMode(QGraphicsView.DragMode.NoDrag if self.editing()
                         else QGraphicsView.DragMode.ScrollHandDrag)
        self.cursor_item.setVisible(painting_tool and self.underMouse())
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if self.editing()
                                  else Qt.CursorShape.OpenHandCursor)

    # --- zoom ----------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self._fit = True
        if self.source_size[0]:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._update_split()
        self.zoomChanged.emit(self.zoom())

    def set_zoom(self, z: float) -> None:
        self._fit = False
        z = float(np.clip(z, MIN_ZOOM, MAX_ZOOM))
        self.resetTransform()
        self.scale(z, z)
        self._update_split()
        self.zoomChanged.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def actual_size(self) -> None:
        # 100% means one image pixel per device pixel on high-DPI screens
        self.set_zoom(1.0 / self.devicePixelRatioF())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        # the wheel zooms (as in photo editors); panning is a drag
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * (ZOOM_STEP ** steps))
        event.accept()

    # --- mouse: painting, segment clicks, split divider -----------------------------------------
    def _scene_pos(self, event: QMouseEvent) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    def _near_split(self, p: QPointF) -> bool:
        if not self.split or self.compare:
            return False
        x = self.source_size[0] * self.split_pos
        return abs(p.x() - x) * self.zoom() < 8

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        p = self._scene_pos(event)
        if event.button() == Qt.MouseButton.LeftButton and self._near_split(p):
            self._dragging_split = True
            event.accept()
            return
        if self.editing() and event.button() == Qt.MouseButton.LeftButton \
                and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            s = self._mask_scale()
            if self.tool == "segment":
                remove = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.segmentClicked.emit(p.x() * s, p.y() * s, not remove)
            else:
                self._painting = True
                assert self.mask is not None
                self._before_stroke = self.mask.copy()
                self._last = (p.x() * s, p.y() * s)
                self._paint_to(self._last)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(d.y()))
            event.accept()
            return
        p = self._scene_pos(event)
        if self._dragging_split:
            w = max(1, self.source_size[0])
            self.split_pos = float(np.clip(p.x() / w, 0.0, 1.0))
            self._update_split()
            event.accept()
            return
        if self.editing() and self.tool in ("brush", "eraser"):
            r = self.brush_size / 2
            self.cursor_item.setRect(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r))
            self.cursor_item.setVisible(True)
        if self._painting:
            s = self._mask_scale()
            self._paint_to((p.x() * s, p.y() * s))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            self._update_cursor_mode()
            event.accept()
            return
        if self._dragging_split:
            self._dragging_split = False
            event.accept()
            return
        if self._painting:
            self._painting = False
            self._refresh_overlay(outline=True)
            assert self.mask is not None
            self.strokeFinished.emit(self._before_stroke, self.mask.copy())
            self._before_stroke = None
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        # double-click switches between the whole photo and actual pixels (not while painting)
        if self.editing() or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        if self._fit:
            self.actual_size()
        else:
            self.fit()
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.cursor_item.setVisible(False)
        super().leaveEvent(event)

    def _paint_to(self, pt: tuple[float, float]) -> None:
        assert self.mask is not None and self._last is not None
        radius = max(1, round(self.brush_size / 2 * self._mask_scale()))
        box = mask_tools.stroke(self.mask, self._last, pt, radius, self.brush_softness,
                                erase=self.tool == "eraser")
        self._last = pt
        if box is not None:
            self._refresh_overlay(box=box)
        self.strokeLive.emit()

    # --- keys and drops ------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.compareHeld.emit(True)
            return
        if event.key() == Qt.Key.Key_BracketLeft:
            self.set_brush_size(int(self.brush_size / 1.2))
            return
        if event.key() == Qt.Key.Key_BracketRight:
            self.set_brush_size(int(self.brush_size * 1.2) + 1)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.compareHeld.emit(False)
            return
        super().keyReleaseEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.fileDropped.emit(urls[0].toLocalFile())
            event.acceptProposedAction()
