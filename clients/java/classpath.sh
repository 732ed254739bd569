#!/bin/sh
# Prints the classpath of the Java client from Debian's jars (libgrpc-java, libprotobuf-java, libnetty-java,
# libgoogle-common-protos-java, ...). netty-all.jar is empty in Debian: the netty-*.jar files are listed one by one.
J=/usr/share/java
CP=""
for jar in grpc-api grpc-context grpc-core grpc-netty grpc-protobuf grpc-protobuf-lite grpc-stub protobuf \
  proto-google-common-protos guava failureaccess perfmark-api gson geronimo-annotation-1.3-spec \
  netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-codec-socks netty-common netty-handler \
  netty-handler-proxy netty-resolver netty-transport; do
  [ -f "$J/$jar.jar" ] && CP="$CP${CP:+:}$J/$jar.jar"
done
echo "$CP"
