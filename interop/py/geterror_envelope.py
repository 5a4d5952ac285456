"""The Msvm_ConcreteJob GetError request the Python peer benchmarks send: written here, not by
hyperv-wsman, with a fresh MessageID per call (as our client sends)."""
import uuid

URI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob"


def get_error_envelope(endpoint, instance_id):
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        f'<a:To>{endpoint}</a:To><w:ResourceURI s:mustUnderstand="true">{URI}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{URI}/GetError</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
        f'<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><w:OperationTimeout>PT20.000S</w:OperationTimeout>'
        f'<w:SelectorSet><w:Selector Name="InstanceID">{instance_id}</w:Selector></w:SelectorSet></s:Header>'
        f'<s:Body><p:GetError_INPUT xmlns:p="{URI}"/></s:Body></s:Envelope>'
    )
