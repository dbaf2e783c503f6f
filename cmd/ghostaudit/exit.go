package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Exit codes. This file is the one place that decides them; docs and
// README list the same table.
const (
	exitOK          = 0 // success, including "nothing found"
	exitError       = 1 // runtime error
	exitUsage       = 2 // usage or configuration error
	exitThreshold   = 3 // a --fail-on threshold was crossed
	exitCredentials = 4 // no usable credentials
	exitIncomplete  = 5 // incomplete coverage with --strict
)

// usageError is a bad flag, argument, config file or input file.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// codedError carries an explicit exit code.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// exitCode maps an error from a command to the process exit code and
// writes the message to stderr.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "ghostaudit: %v\n", err)
	var ce *codedError
	var ue *usageError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, scanners.ErrNoCredentials):
		return exitCredentials
	case errors.Is(err, context.Canceled):
		return exitError
	default:
		return exitError
	}
}
