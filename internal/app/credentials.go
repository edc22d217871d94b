package app

import (
	"errors"

	"github.com/hanavault/hanavault/internal/awsapi"
)

// NoCredentials reports whether err comes from finding no usable AWS
// credentials at all, as opposed to credentials AWS rejected or a profile
// that does not exist. It is the case where the wizard falls back to the
// sandbox, so a subcommand that fails with it can point there.
func NoCredentials(err error) bool {
	var ce *awsapi.CredentialsError
	return errors.As(err, &ce) && ce.Profile == ""
}
