package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestClientTokenIsPerCaller: a ClientToken names one caller's start; the
// same caller gets its execution back, another caller reusing the token
// gets IdempotentParameterMismatch, never the first caller's execution.
func TestClientTokenIsPerCaller(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Token-Task", napDoc)
	starter := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":"*"}]}`
	alice := ssm.NewFromConfig(cfg(srv, user(t, srv, "alice", starter)))
	bob := ssm.NewFromConfig(cfg(srv, user(t, srv, "bob", starter)))
	token := "3f1c9a52-6c1e-4d8e-9a0b-2b7d4e5f6a70"
	in := func() *ssm.StartAutomationExecutionInput {
		return &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Token-Task"), ClientToken: aws.String(token)}
	}
	first := start(t, alice, in())
	assert.Equal(t, first, start(t, alice, in()), "the same caller gets its execution back")
	_, err := bob.StartAutomationExecution(ctx, in())
	assert.Equal(t, "IdempotentParameterMismatch", errCode(err))
	upper := in()
	upper.ClientToken = aws.String(strings.ToUpper(token))
	_, err = bob.StartAutomationExecution(ctx, upper)
	assert.Equal(t, "IdempotentParameterMismatch", errCode(err), "tokens are case-insensitive")
}
