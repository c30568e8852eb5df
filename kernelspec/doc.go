// Package kernelspec installs gokernel's kernel specification, the directory
// through which Jupyter finds a kernel, and removes it again.
//
// A kernelspec is a directory kernels/NAME under one of Jupyter's data
// directories. It holds kernel.json, which tells Jupyter how to start the
// kernel, the logos shown in the launcher, and kernel.js, which Notebook 6
// loads to highlight cell magics. All of them are embedded in the binary:
// [Install] writes them, with the absolute path of the gokernel binary put
// into kernel.json's argv.
//
// The data directories are those of jupyter_core: [UserDataDir] for one user
// (what "gokernel install" uses by default), [SysPrefixDataDir] for the
// Python environment that runs Jupyter, and [PrefixDataDir] for any prefix.
//
// # Files
//
//   - kernelspec.go: Install, Uninstall and KernelJSON.
//   - paths.go: the data directories.
//   - kernel.json.tmpl, kernel.js: the embedded kernelspec files.
//   - logo-32x32.png, logo-64x64.png, logo-svg.svg: the logos, drawn by
//     internal/genlogo (go generate).
package kernelspec

//go:generate go run ./internal/genlogo
