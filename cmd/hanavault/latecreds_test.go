package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lateIMDS is an EC2 instance metadata service (IMDSv2) on loopback that
// holds every request until release, then hands out the credentials of an
// instance role, as the instance metadata service's "Retrieve security
// credentials from instance metadata" (EC2 User Guide, "IAM roles for
// Amazon EC2") describes: a session token from PUT /latest/api/token, the
// role's name under iam/security-credentials/, its credentials as JSON.
type lateIMDS struct {
	*httptest.Server
	gate     chan struct{}
	once     sync.Once
	mu       sync.Mutex
	waiting  int
	requests []string
}

const lateRole = "HanaBackupEC2"

func newLateIMDS(t *testing.T) *lateIMDS {
	m := &lateIMDS{gate: make(chan struct{})}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(func() {
		m.release()
		m.Close()
	})
	return m
}

func (m *lateIMDS) release() { m.once.Do(func() { close(m.gate) }) }

// holding is how many requests wait for release now.
func (m *lateIMDS) holding() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.waiting
}

func (m *lateIMDS) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.waiting++
	m.requests = append(m.requests, r.Method+" "+r.URL.Path)
	m.mu.Unlock()
	select {
	case <-m.gate:
	case <-r.Context().Done():
	}
	m.mu.Lock()
	m.waiting--
	m.mu.Unlock()
	if r.Context().Err() != nil {
		return
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds"))
		fmt.Fprint(w, "imds-session-token")
	case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
		fmt.Fprintln(w, lateRole)
	case r.URL.Path == "/latest/meta-data/iam/security-credentials/"+lateRole:
		fmt.Fprintf(w, `{"Code":"Success","LastUpdated":%q,"Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLELATE","SecretAccessKey":"secret","Token":"session","Expiration":%q}`,
			time.Now().UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	default:
		http.NotFound(w, r)
	}
}

// fakeAWS answers sts:GetCallerIdentity for the instance role (the STS
// API Reference's GetCallerIdentity response, awsQuery XML) and refuses
// everything else, so no call of the account found leaves loopback.
func fakeAWS(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Form.Get("Action") == "GetCallerIdentity" {
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::444455556666:assumed-role/`+lateRole+`/i-0abc1234def567890</Arn>
    <UserId>AROAEXAMPLELATE:i-0abc1234def567890</UserId>
    <Account>444455556666</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>fake AWS: not modelled</Message></Error><RequestId>0</RequestId></ErrorResponse>`)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestWizardOffersCredentialsFoundLate runs the bare wizard on a machine
// whose only credentials come from an instance metadata service that
// answers late: the sandbox is up while the lookup still waits on it; once
// the service answers, the home screen offers the instance role's account,
// and w switches the wizard to it.
func TestWizardOffersCredentialsFoundLate(t *testing.T) {
	bin := ptyBinary(t)
	imds := newLateIMDS(t)
	aws := fakeAWS(t)
	env := append(imdsEnv(t.TempDir(), imds.URL+"/"), "AWS_REGION=eu-west-1")
	for _, svc := range []string{"STS", "S3", "IAM", "EC2", "KMS"} {
		env = append(env, "AWS_ENDPOINT_URL_"+svc+"="+aws.URL)
	}
	s := startScreen(t, bin, t.TempDir(), env)
	s.waitFor("SANDBOX", "this is the sandbox for now", "+ New landscape")
	if imds.holding() == 0 {
		t.Fatalf("the sandbox is up, but the lookup no longer waits on the metadata service; screen:\n%s", s.text())
	}
	if strings.Contains(s.text(), "credentials found:") {
		t.Fatalf("credentials offered before the metadata service answered:\n%s", s.text())
	}
	imds.release()
	s.waitFor("AWS credentials found: account 444455556666", lateRole, "eu-west-1")
	if !strings.Contains(s.text(), "SANDBOX") {
		t.Fatalf("the wizard left the sandbox on its own:\n%s", s.text())
	}
	s.press("w")
	txt := s.waitFor("account 444455556666", "Profile")
	if strings.Contains(txt, "SANDBOX") {
		t.Errorf("w did not leave the sandbox:\n%s", txt)
	}
	s.press("q")
	if err := s.wait(); err != nil {
		t.Fatalf("hanavault exited with %v after q", err)
	}
}
