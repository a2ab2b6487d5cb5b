// Outdoor categories: fishing, running, camping, gardening.
extension Vocabulary {
    static let fishing = CategoryVocabulary(
        name: "fishing",
        topics: [
            TopicVocabulary(
                name: Bilingual("fly fishing", "飞钓"),
                products: [
                    Bilingual("fly rod", "飞钓竿"),
                    Bilingual("fly reel", "飞钓轮"),
                    Bilingual("tippet", "子线"),
                    Bilingual("dry flies", "干毛钩"),
                    Bilingual("waders", "涉水裤"),
                    Bilingual("nymphs", "若虫饵"),
                    Bilingual("landing net", "抄网"),
                    Bilingual("wading boots", "涉水鞋"),
                ],
                uses: [
                    Bilingual("trout", "鳟鱼"),
                    Bilingual("mountain streams", "山间溪流"),
                    Bilingual("catch and release", "钓后放流"),
                ]),
            TopicVocabulary(
                name: Bilingual("sea fishing", "海钓"),
                products: [
                    Bilingual("surf rod", "远投竿"),
                    Bilingual("spinning reel", "纺车轮"),
                    Bilingual("braided line", "编织线"),
                    Bilingual("sinkers", "铅坠"),
                    Bilingual("soft lures", "软饵"),
                    Bilingual("tackle box", "钓箱"),
                    Bilingual("rod holder", "炮台支架"),
                    Bilingual("bait bucket", "饵料桶"),
                ],
                uses: [
                    Bilingual("sea bass", "海鲈鱼"),
                    Bilingual("pier fishing", "码头海钓"),
                    Bilingual("surf casting", "岸边抛投"),
                ]),
            TopicVocabulary(
                name: Bilingual("carp fishing", "鲤鱼垂钓"),
                products: [
                    Bilingual("carp rod", "鲤鱼竿"),
                    Bilingual("bite alarm", "咬钩报警器"),
                    Bilingual("boilies", "打窝球"),
                    Bilingual("keepnet", "鱼护"),
                    Bilingual("unhooking mat", "摘钩垫"),
                    Bilingual("method feeder", "炸弹钩"),
                    Bilingual("rod pod", "三脚竿架"),
                ],
                uses: [
                    Bilingual("big carp", "野生鲤鱼"),
                    Bilingual("night fishing", "夜钓"),
                    Bilingual("lake fishing", "湖库垂钓"),
                ]),
        ],
        brands: [
            Bilingual("Northfly", "北飞"),
            Bilingual("Troutwell", "清溪客"),
            Bilingual("Tidecraft", "潮匠"),
            Bilingual("Saltreach", "盐礁"),
            Bilingual("Gillmoor", "渔隼"),
            Bilingual("Reedwater", "芦水"),
            Bilingual("Pikestone", "梭石"),
        ],
        materials: [
            Bilingual("graphite", "碳素"),
            Bilingual("fibreglass", "玻璃纤维"),
            Bilingual("aluminium", "铝合金"),
            Bilingual("nylon", "尼龙"),
            Bilingual("bamboo", "竹制"),
            Bilingual("brass", "黄铜"),
        ])

    static let running = CategoryVocabulary(
        name: "running",
        topics: [
            TopicVocabulary(
                name: Bilingual("trail running", "越野跑"),
                products: [
                    Bilingual("trail shoes", "越野跑鞋"),
                    Bilingual("hydration vest", "水袋背心"),
                    Bilingual("soft flask", "软水壶"),
                    Bilingual("gaiters", "防沙鞋套"),
                    Bilingual("trail socks", "越野袜"),
                    Bilingual("race belt", "号码腰带"),
                    Bilingual("windproof shell", "防风皮肤衣"),
                    Bilingual("running poles", "越野跑杖"),
                ],
                uses: [
                    Bilingual("ultra races", "百公里越野"),
                    Bilingual("mountain trails", "山地越野"),
                    Bilingual("technical descents", "技术下坡"),
                ]),
            TopicVocabulary(
                name: Bilingual("road running", "路跑"),
                products: [
                    Bilingual("racing flats", "竞速跑鞋"),
                    Bilingual("running shorts", "跑步短裤"),
                    Bilingual("gps watch", "运动手表"),
                    Bilingual("compression socks", "压缩袜"),
                    Bilingual("energy gels", "能量胶"),
                    Bilingual("foam roller", "泡沫轴"),
                    Bilingual("running cap", "跑步帽"),
                    Bilingual("reflective vest", "反光背心"),
                ],
                uses: [
                    Bilingual("marathon training", "马拉松训练"),
                    Bilingual("tempo runs", "节奏跑"),
                    Bilingual("personal best", "个人最好成绩"),
                ]),
        ],
        brands: [
            Bilingual("Stridecore", "迅步"),
            Bilingual("Miletide", "里程潮"),
            Bilingual("Trailhawk", "径鹰"),
            Bilingual("Ridgerun", "越岭"),
            Bilingual("Swiftfell", "疾风岭"),
            Bilingual("Cadenzo", "步频"),
            Bilingual("Paceloft", "配速阁"),
        ],
        materials: [
            Bilingual("mesh", "网眼布"),
            Bilingual("merino wool", "美利奴羊毛"),
            Bilingual("recycled polyester", "再生涤纶"),
            Bilingual("spandex", "氨纶"),
            Bilingual("ripstop nylon", "防撕裂尼龙"),
            Bilingual("carbon plate", "碳板"),
        ])

    static let camping = CategoryVocabulary(
        name: "camping",
        topics: [
            TopicVocabulary(
                name: Bilingual("backpacking", "重装徒步"),
                products: [
                    Bilingual("ultralight tent", "超轻帐篷"),
                    Bilingual("sleeping bag", "睡袋"),
                    Bilingual("sleeping pad", "防潮垫"),
                    Bilingual("trekking poles", "登山杖"),
                    Bilingual("backpacking stove", "高山炉头"),
                    Bilingual("water filter", "净水器"),
                    Bilingual("headlamp", "头灯"),
                    Bilingual("dry bag", "防水袋"),
                ],
                uses: [
                    Bilingual("thru hiking", "长距离徒步"),
                    Bilingual("alpine lakes", "高山湖泊"),
                    Bilingual("backcountry trips", "多日重装"),
                ]),
            TopicVocabulary(
                name: Bilingual("car camping", "自驾露营"),
                products: [
                    Bilingual("camping chair", "折叠椅"),
                    Bilingual("folding table", "蛋卷桌"),
                    Bilingual("cooler box", "保温箱"),
                    Bilingual("camp lantern", "露营灯"),
                    Bilingual("tarp shelter", "天幕"),
                    Bilingual("air mattress", "充气床垫"),
                    Bilingual("camp grill", "户外烤炉"),
                ],
                uses: [
                    Bilingual("family campsites", "家庭营地"),
                    Bilingual("campfire cooking", "篝火料理"),
                    Bilingual("weekend getaways", "周末出游"),
                ]),
        ],
        brands: [
            Bilingual("Ridgepine", "岭松"),
            Bilingual("Emberfold", "余烬"),
            Bilingual("Trailnest", "径巢"),
            Bilingual("Basecairn", "石堆营"),
            Bilingual("Duskfire", "暮火"),
            Bilingual("Summitwren", "峰鹪"),
            Bilingual("Hollowoak", "空橡"),
        ],
        materials: [
            Bilingual("titanium", "钛合金"),
            Bilingual("goose down", "鹅绒"),
            Bilingual("cotton canvas", "棉帆布"),
            Bilingual("anodised aluminium", "阳极氧化铝"),
            Bilingual("silnylon", "硅尼龙"),
            Bilingual("oxford cloth", "牛津布"),
        ])

    static let gardening = CategoryVocabulary(
        name: "gardening",
        topics: [
            TopicVocabulary(
                name: Bilingual("indoor plants", "室内绿植"),
                products: [
                    Bilingual("monstera", "龟背竹"),
                    Bilingual("succulents", "多肉植物"),
                    Bilingual("grow light", "植物补光灯"),
                    Bilingual("potting mix", "营养土"),
                    Bilingual("watering can", "浇水壶"),
                    Bilingual("mister bottle", "喷雾瓶"),
                    Bilingual("self watering planter", "自吸水花盆"),
                    Bilingual("moss pole", "爬藤柱"),
                ],
                uses: [
                    Bilingual("low light rooms", "弱光房间"),
                    Bilingual("pet safe greenery", "宠物友好绿植"),
                    Bilingual("propagation", "扦插繁殖"),
                ]),
            TopicVocabulary(
                name: Bilingual("vegetable gardening", "菜园种植"),
                products: [
                    Bilingual("raised bed", "种植箱"),
                    Bilingual("seed trays", "育苗盘"),
                    Bilingual("tomato cages", "番茄支架"),
                    Bilingual("compost bin", "堆肥桶"),
                    Bilingual("garden hoe", "锄头"),
                    Bilingual("pruning shears", "修枝剪"),
                    Bilingual("heirloom seeds", "老品种种子"),
                    Bilingual("drip irrigation", "滴灌套装"),
                ],
                uses: [
                    Bilingual("homegrown tomatoes", "自种番茄"),
                    Bilingual("companion planting", "伴生种植"),
                    Bilingual("harvest season", "收获季节"),
                ]),
        ],
        brands: [
            Bilingual("Greenloam", "绿壤"),
            Bilingual("Sproutwell", "芽泉"),
            Bilingual("Mossgate", "苔门"),
            Bilingual("Rootwick", "根芯"),
            Bilingual("Bloomhollow", "花谷"),
            Bilingual("Fernwise", "蕨智"),
            Bilingual("Seedlark", "种雀"),
        ],
        materials: [
            Bilingual("terracotta", "陶土"),
            Bilingual("galvanised steel", "镀锌钢"),
            Bilingual("cedar wood", "雪松木"),
            Bilingual("recycled plastic", "再生塑料"),
            Bilingual("jute", "黄麻"),
            Bilingual("glazed ceramic", "釉面陶瓷"),
        ])
}
