// Command pulumi-language-{nodejs,python,yaml}: the language hosts of the end-to-end toolchain.
//
// The Go module proxy serves the Node.js and Python language hosts only as packages of sdk/v3 v3.68.0; their
// own modules, where every later version lives, are refused. CLI v3.274 drives those hosts for `up`, `preview`
// and `destroy`, but three of its calls did not exist in v3.68: RunPlugin (a plugin package or a policy pack
// written in TypeScript), and GeneratePackage and Link (`pulumi package add` in a Python program). The YAML
// host the proxy serves (pulumi-yaml v1.25.0) lacks Link too. This program stands in front of such a host:
// it starts it, forwards every call to it byte for byte, and answers the missing calls itself. Which runtime
// it serves comes from its own file name.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// The directories of the wrapped hosts, set at link time.
var wrappedNodejs, wrappedPython, wrappedYaml string

const service = "/pulumirpc.LanguageRuntime/"

// An answer of ours to one call, given the request's bytes.
type handler func(ctx context.Context, request []byte, send func(proto.Message) error) error

// The wrapped host's answer to one of its calls, by method name.
type wrappedCall func(ctx context.Context, method string, request []byte) ([]byte, error)

func main() {
	runtime := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-language-")
	handlers := map[string]handler{}
	switch runtime {
	case "nodejs":
		handlers["RunPlugin"] = runNodejsPlugin
	case "python":
		handlers["GeneratePackage"] = generatePythonPackage
		handlers["Link"] = linkPythonPackages
	case "yaml":
		handlers["Link"] = linkNothing
	default:
		fail(fmt.Errorf("no language host for %q", runtime))
	}

	var conn *grpc.ClientConn
	// The wrapped host's answer to a call, for handlers that amend it.
	var wrappedAnswer wrappedCall = func(ctx context.Context, method string, request []byte) ([]byte, error) {
		var response frame
		err := conn.Invoke(ctx, service+method, frame(request), &response)
		return response, err
	}
	if runtime == "nodejs" {
		handlers["GetRequiredPlugins"] = withoutUnavailablePlugins(wrappedAnswer)
	}

	wrappedDir := map[string]string{"nodejs": wrappedNodejs, "python": wrappedPython, "yaml": wrappedYaml}[runtime]
	wrapped := exec.Command(filepath.Join(wrappedDir, "pulumi-language-"+runtime), append(projectFlags(runtime), os.Args[1:]...)...)
	wrapped.Stderr = os.Stderr
	stdout, err := wrapped.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := wrapped.Start(); err != nil {
		fail(err)
	}
	// From here on a failure must not leave the wrapped host running without anyone to stop it.
	failWith := func(err error) {
		_ = wrapped.Process.Kill()
		fail(err)
	}
	// A host prints the port it serves on as its first line, and the CLI reads ours the same way.
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		failWith(fmt.Errorf("the wrapped %s host printed no port: %w", runtime, err))
	}
	conn, err = grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(1<<30)),
	)
	if err != nil {
		failWith(err)
	}
	server := grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(1<<30),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(stream)
			if own, ok := handlers[strings.TrimPrefix(method, service)]; ok && strings.HasPrefix(method, service) {
				return answer(stream, own)
			}
			return forward(conn, method, stream)
		}),
	)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		failWith(err)
	}
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	// The CLI stops a language host by signalling its process group, which holds the wrapped host too. If the
	// wrapped host ends first, so do we, with its status, so that a crash is not reported as a clean exit.
	hostEnded := make(chan error, 1)
	go func() {
		hostEnded <- wrapped.Wait()
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil {
		failWith(err)
	}
	if err := <-hostEnded; err != nil {
		fail(fmt.Errorf("the wrapped %s host: %w", runtime, err))
	}
}

// projectFlags gives the v3.68 Python host what CLIs of its day passed on its command line and later ones
// pass in each call: the project's root and its virtual environment (`runtime.options.virtualenv`). The
// CLI starts a language host in the project's directory.
func projectFlags(runtime string) []string {
	if runtime != "python" {
		return nil
	}
	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	flags := []string{"-root=" + root}
	project, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		return flags
	}
	if virtualenv, ok := project.Runtime.Options()["virtualenv"].(string); ok {
		flags = append(flags, "-virtualenv="+virtualenv)
	}
	return flags
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// answer runs one of our handlers on a call: one request in, one or more responses out.
func answer(stream grpc.ServerStream, own handler) error {
	var request frame
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	return own(stream.Context(), request, func(response proto.Message) error {
		bytes, err := proto.Marshal(response)
		if err != nil {
			return err
		}
		return stream.SendMsg(frame(bytes))
	})
}

// forward relays one call, of any shape (unary or streaming), to the wrapped host and its answers back.
func forward(conn *grpc.ClientConn, method string, stream grpc.ServerStream) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if incoming, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, incoming.Copy())
	}
	upstream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	go func() {
		for {
			var request frame
			if err := stream.RecvMsg(&request); err != nil {
				_ = upstream.CloseSend()
				return
			}
			if err := upstream.SendMsg(request); err != nil {
				return
			}
		}
	}()
	if header, err := upstream.Header(); err == nil {
		_ = stream.SendHeader(header)
	}
	for {
		var response frame
		if err := upstream.RecvMsg(&response); err != nil {
			stream.SetTrailer(upstream.Trailer())
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := stream.SendMsg(response); err != nil {
			return err
		}
	}
}

// frame is a message as it travels, never decoded: the proxy needs no knowledge of the calls it relays.
type frame []byte

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch message := v.(type) {
	case frame:
		return message, nil
	case *frame:
		return *message, nil
	}
	return nil, fmt.Errorf("unexpected message %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	message, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("unexpected message %T", v)
	}
	*message = append((*message)[:0], data...)
	return nil
}

// Name is that of the protobuf codec, so that both ends see the content type they expect.
func (rawCodec) Name() string { return "proto" }
