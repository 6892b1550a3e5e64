package ssmlocal

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
)

// APIError is an error the endpoint returns to a caller: an AWS error code,
// a message and the HTTP status it travels with. It satisfies
// smithy.APIError, so steps and Go callers match it the way they match the
// SDK's errors.
type APIError struct {
	Code    string
	Message string
	// Status is the HTTP status; 400 when zero.
	Status int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault reports whether the caller or the server is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.status() >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

func (e *APIError) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

var _ smithy.APIError = (*APIError)(nil)

// apiErr formats a message; string arguments, usually a caller's values,
// are clipped so a huge value never makes a huge message.
func apiErr(code, format string, args ...any) *APIError {
	clipped := make([]any, len(args))
	for i, a := range args {
		clipped[i] = clipArg(a)
	}
	return &APIError{Code: code, Message: fmt.Sprintf(format, clipped...)}
}

func notFound(code, format string, args ...any) *APIError {
	e := apiErr(code, format, args...)
	if code == "NoSuchEntity" {
		e.Status = http.StatusNotFound
	}
	return e
}

// validation builds the message AWS's request validation uses.
func validation(member string, value any, constraint string) *APIError {
	if _, ok := clipArg(value).(string); !ok {
		value = clip(fmt.Sprint(value))
	}
	return apiErr("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// asAPIError turns any error into what goes on the wire: a smithy.APIError
// keeps its code; anything else is an internal failure.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var se smithy.APIError
	if errors.As(err, &se) {
		out := &APIError{Code: se.ErrorCode(), Message: se.ErrorMessage()}
		if se.ErrorFault() == smithy.FaultServer {
			out.Status = http.StatusInternalServerError
		}
		return out
	}
	return &APIError{Code: "InternalFailure", Message: err.Error(), Status: http.StatusInternalServerError}
}
