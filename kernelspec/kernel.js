// kernel.js for Jupyter Notebook 6 (the classic notebook; JupyterLab does not
// load it). It highlights cells that start with a cell magic in the magic's
// language. Other cells keep the notebook's mode, which comes from the
// kernel's language_info.codemirror_mode ("go").
define([
    'base/js/namespace',
    'base/js/utils',
    'codemirror/lib/codemirror',
    'codemirror/mode/meta'
], function (Jupyter, utils, CodeMirror) {
    'use strict';

    // Each entry maps cell magics to a CodeMirror mode (a MIME type or a
    // mode name). An entry with a fallback is used only when the notebook's
    // CodeMirror knows its mode. The text between the BEGIN and END lines
    // must stay valid JSON: kernelspec_test.go reads it.
    var magicModes =
    // BEGIN MAGIC MODES
    [
        {"magics": ["cpp", "c", "asm"], "mode": "text/x-c++src"},
        {"magics": ["bash", "sh"], "mode": "text/x-sh"},
        {"magics": ["makefile"], "mode": "makefile", "fallback": "null"},
        {"magics": ["html"], "mode": "text/html"},
        {"magics": ["markdown"], "mode": "text/x-markdown"}
    ]
    // END MAGIC MODES
    ;

    // known reports whether CodeMirror can load mode.
    function known(mode) {
        return Boolean(CodeMirror.modes[mode] ||
            CodeMirror.findModeByName(mode) ||
            CodeMirror.findModeByMIME(mode));
    }

    function highlightAll() {
        Jupyter.notebook.get_cells().forEach(function (cell) {
            if (cell.cell_type === 'code') {
                cell.auto_highlight();
            }
        });
    }

    function onload() {
        var highlight = Jupyter.CodeCell.options_default.highlight_modes;
        magicModes.forEach(function (entry) {
            var mode = entry.mode;
            if (entry.fallback && !known(mode)) {
                mode = entry.fallback;
            }
            // The "magic_" prefix makes the notebook style the first line
            // as a magic and use the mode for the rest of the cell.
            highlight['magic_' + mode] = {
                'reg': ['^%%(' + entry.magics.join('|') + ')(\\s|$)']
            };
        });
        highlightAll();
        // On kernel_ready the notebook loads the kernel's own mode
        // asynchronously and then sets it on every cell; highlight again
        // only once that mode has loaded, or the magic cells lose theirs.
        Jupyter.notebook.events.on('kernel_ready.Kernel', function () {
            var info = Jupyter.notebook.metadata.language_info || {};
            utils.requireCodeMirrorMode(info.codemirror_mode || 'go', highlightAll);
        });
    }

    return {onload: onload};
});
