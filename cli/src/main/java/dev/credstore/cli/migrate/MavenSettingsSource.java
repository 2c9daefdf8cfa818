package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Maven's {@code ~/.m2/settings.xml}: {@code <server><password>} (and {@code <passphrase>}) that are
 * not encrypted (Maven's encrypted form is {@code {…}}). Reported: Maven reads only its own file.
 * The value passes through the XML parser as a String, is only checked for that form, and is
 * never shown.
 */
final class MavenSettingsSource implements ReportingSource {

  @Override
  public String tool() {
    return "maven";
  }

  @Override
  public List<Path> files(Places places) {
    return List.of(places.inHome(".m2/settings.xml"));
  }

  @Override
  public List<Reported> report(Path file, byte[] bytes) throws ConfigurationException {
    List<Reported> reported = new ArrayList<>();
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(true);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      NodeList servers = builder.parse(new ByteArrayInputStream(bytes))
          .getElementsByTagNameNS("*", "server");
      for (int i = 0; i < servers.getLength(); i++) {
        Element server = (Element) servers.item(i);
        String id = child(server, "id");
        for (String key : List.of("password", "passphrase")) {
          String value = child(server, key);
          if (value != null && !value.isBlank() && !(value.strip().startsWith("{")
              && value.strip().endsWith("}"))) {
            reported.add(new Reported("server " + id + " " + key, "an unencrypted server "
                + key + ": encrypt it with mvn --encrypt-password, or use ${env.VAR} and "
                + "credstore exec"));
          }
        }
      }
    } catch (Exception e) {
      throw new ConfigurationException("is not XML Maven can read");
    }
    return reported;
  }

  private static String child(Element parent, String name) {
    NodeList nodes = parent.getElementsByTagNameNS("*", name);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
  }
}
