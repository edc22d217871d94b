package awsapi

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/smithy-go/logging"
)

// TestSDKLogsNeverReachTheTerminal: without a debug log the SDK's own log
// lines (such as "falling back to IMDSv1") are discarded instead of going
// to stderr under the wizard; with one they go there.
func TestSDKLogsNeverReachTheTerminal(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	cfg, err := loadSDKConfig(context.Background(), Config{Region: "eu-central-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Logger.(logging.Nop); !ok {
		t.Errorf("the SDK logs with %T, want logging.Nop", cfg.Logger)
	}
	var buf bytes.Buffer
	cfg, err = loadSDKConfig(context.Background(), Config{Region: "eu-central-1", Log: &buf})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Logf(logging.Warn, "falling back to IMDSv1")
	if !bytes.Contains(buf.Bytes(), []byte("WARN falling back to IMDSv1")) {
		t.Errorf("the debug log got %q", buf.String())
	}
}
