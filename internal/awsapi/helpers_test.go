package awsapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/hanavault/hanavault/internal/testutil/awsenv"
)

// isolateEnv replaces the AWS_* environment for t (see awsenv.Isolate) and
// returns the empty config and credentials files.
func isolateEnv(t *testing.T) (configFile, credentialsFile string) {
	t.Helper()
	return awsenv.Isolate(t)
}

// staticEnvCredentials sets test access keys in the environment.
func staticEnvCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
}

// recordedRequest is one request a fakeTransport saw.
type recordedRequest struct {
	Method string
	Host   string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// signingRegion extracts the region from the SigV4 Authorization header.
func (r recordedRequest) signingRegion() string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// fakeTransport answers every request with a canned response and records
// it; nothing leaves the process.
type fakeTransport struct {
	mu       sync.Mutex
	requests []recordedRequest
	respond  func(r *http.Request) (status int, header http.Header, body string)
}

func (f *fakeTransport) Do(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	f.requests = append(f.requests, recordedRequest{
		Method: r.Method, Host: r.URL.Host, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: string(body),
	})
	f.mu.Unlock()
	status, header, respBody := 200, http.Header{}, ""
	if f.respond != nil {
		status, header, respBody = f.respond(r)
		if header == nil {
			header = http.Header{}
		}
	}
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader([]byte(respBody))),
		ContentLength: int64(len(respBody)),
		Request:       r,
	}, nil
}

func (f *fakeTransport) last(t *testing.T) recordedRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("no request was sent")
	}
	return f.requests[len(f.requests)-1]
}

// fakeAccount loads an Account whose SDK clients send every request to ft.
func fakeAccount(t *testing.T, cfg Config, ft *fakeTransport) *Account {
	t.Helper()
	a, err := load(context.Background(), cfg, config.WithHTTPClient(ft))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
