# Two entry points (see README): `make run` and `make test`. Each sets up .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean sysdeps package

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the CPU build from local disk; a plain `torch` would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Qt's xcb platform needs these Debian libraries on a desktop (offscreen tests do not).
XCB_DEBS := libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0

sysdeps:
	@if ! ldconfig -p | grep -q 'libxcb-cursor.so.0' || ! ldconfig -p | grep -q 'libxcb-icccm.so.4'; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(XCB_DEBS); \
	  else echo "Qt needs: sudo apt-get install $(XCB_DEBS)"; fi; fi

run: $(STAMP) sysdeps
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No screen here: running the editor offscreen on the sample photo (self-test)."; \
	  QT_QPA_PLATFORM=offscreen $(BIN)/lbie-desktop --self-test; \
	else $(BIN)/lbie-desktop resources/sample.jpg; fi

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check lbie_desktop tests

bench: $(STAMP)
	$(BIN)/lbie bench

# The packaged app (packaging/README.md): a fresh clone of the committed tree is built into
# dist/LBIE-Desktop/, then the built executables run their self-tests offscreen.
PKG_SRC := $(CURDIR)/build/package-src
PYI := $(abspath $(BIN))/pyinstaller
package: $(STAMP)
	test -x $(PYI) || $(BIN)/pip install -q 'pyinstaller>=6.6'
	rm -rf $(PKG_SRC) dist/LBIE-Desktop
	git clone -q --no-hardlinks . $(PKG_SRC)
	cd $(PKG_SRC)/packaging && PYTHONPATH=$(PKG_SRC) nice -n 10 $(PYI) --noconfirm --log-level WARN \
		--distpath $(CURDIR)/dist --workpath $(PKG_SRC)/build lbie.spec
	# refuses AGPL components; compare with packaging/LICENSES.md when dependencies change
	$(BIN)/python packaging/licences.py $(PKG_SRC)/build/lbie > build/LICENSES.generated.md
	QT_QPA_PLATFORM=offscreen dist/LBIE-Desktop/lbie-desktop --self-test
	dist/LBIE-Desktop/lbie selftest
	du -sh dist/LBIE-Desktop

clean:
	rm -rf $(VENV) build dist *.egg-info
