"""The files postback reads and writes, below the command line and ``postback.testing``:
text (``text``), TOML with positions (``toml``, ``tomlspans``), project settings
(``project``), confined reads and writes (``confined``), template and record files
(``inputs``), golden-case files and expected outputs (``cases``, ``expected``), how
they are shown (``shown``), and ``postback.load`` (``load``)."""
