// Package layering holds the test that keeps hanavault's layers apart: only
// the AWS adapter (internal/awsapi) imports the AWS SDK and smithy; the
// engine, the landscape, the policies, the journal, discovery, verify,
// recall, recovery and the in-memory account never depend on Charm; the plain reporter never
// depends on the interactive Charm packages; the wizard never depends on
// the AWS adapter. It has no code of its own.
package layering
