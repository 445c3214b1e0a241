package main

import (
	"context"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
)

// linkNothing answers Link for YAML, whose programs need no SDK: they name a package's types, and the
// `packages` entry the CLI writes into Pulumi.yaml tells the engine where the package is.
func linkNothing(_ context.Context, _ []byte, send func(proto.Message) error) error {
	return send(&pulumirpc.LinkResponse{})
}
