// Package all is the one explicit list of built-in scanners.
package all

import (
	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/aws"
	"github.com/ghostaudit/ghostaudit/scanners/gcp"
	"github.com/ghostaudit/ghostaudit/scanners/m365"
)

// Registry returns a registry holding every built-in scanner.
func Registry() *scanners.Registry {
	return scanners.NewRegistry().MustRegister(aws.Info).MustRegister(gcp.Info).MustRegister(m365.Info)
}
