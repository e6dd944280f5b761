# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for the shadowvm documentation: `make htmldocs`
# builds it into build/htmldocs with -W, so every warning is an error.
# Plain Sphinx only (what Debian's python3-sphinx ships): no extensions,
# the default theme.

project = 'shadowvm'
copyright = 'the shadowvm authors'
author = 'the shadowvm authors'

root_doc = 'index'
source_suffix = '.rst'
language = 'en'
exclude_patterns = []

# Literal blocks are C, shell and make alike: do not guess a lexer for
# them (a wrong guess is a warning, and with -W an error).
highlight_language = 'none'

html_title = 'shadowvm documentation'
html_show_sourcelink = False
html_copy_source = False
