package cli

import (
	"errors"
	"fmt"

	"github.com/hanavault/hanavault/internal/steps"
)

// Exit codes. Only main exits; everything else returns typed errors that
// ExitCode maps.
const (
	ExitOK          = 0   // success (status: the landscape is ok)
	ExitError       = 1   // any failure, including an invalid landscape file
	ExitUsage       = 2   // flag or argument misuse, or a refusal to act without confirmation
	ExitUnhealthy   = 3   // status: the landscape is not ok
	ExitDestroyed   = 4   // status: the landscape was destroyed
	ExitInterrupted = 130 // SIGINT/SIGTERM (or Ctrl+C in the wizard)
)

// ErrInterrupted marks a run stopped by SIGINT or SIGTERM.
var ErrInterrupted = errors.New("interrupted")

// ErrCancelled marks a confirmation the user declined.
var ErrCancelled = errors.New("cancelled")

// UsageError is a misuse of flags or arguments, or a refusal to act
// without a confirmation that cannot be asked for (exit 2).
type UsageError struct {
	Err error
	// ShowUsage adds "Run 'hanavault X --help' for usage." to the message.
	ShowUsage bool
}

// Error returns the misuse in words.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// UnhealthyError reports that status found the landscape not ok (exit 3).
type UnhealthyError struct {
	SID     string
	Overall steps.Overall
}

// Error names the landscape and its overall state.
func (e *UnhealthyError) Error() string {
	return fmt.Sprintf("landscape %s is %s", e.SID, e.Overall)
}

// NotOKError reports that a check command (verify, recall --check) ran
// and found something not ok (exit 3); its report was already printed.
type NotOKError struct{ Err error }

// Error says what was not ok.
func (e *NotOKError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *NotOKError) Unwrap() error { return e.Err }

// DestroyedError reports that status found the landscape destroyed
// (exit 4); what is left of it was printed.
type DestroyedError struct {
	SID string
}

// Error names the landscape.
func (e *DestroyedError) Error() string {
	return fmt.Sprintf("landscape %s was destroyed", e.SID)
}

// silentError is an error whose explanation was already printed; Run
// does not print it again.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }

func (e *silentError) Unwrap() error { return e.err }

func silent(err error) error { return &silentError{err: err} }

// ExitCode maps an error returned by Run to the process exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var uh *UnhealthyError
	var no *NotOKError
	var de *DestroyedError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &de):
		return ExitDestroyed
	case errors.Is(err, ErrInterrupted):
		return ExitInterrupted
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &uh), errors.As(err, &no):
		return ExitUnhealthy
	}
	return ExitError
}
